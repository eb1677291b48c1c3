package io.podcap.capture;

/** The process lacks a privilege the capture needs; the message names the capability (e.g. CAP_NET_RAW). */
public final class CapturePermissionException extends CaptureException {
    public CapturePermissionException(String message, int errno) {
        super(message, errno);
    }
}
