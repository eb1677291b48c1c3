/* What the JNI files share. podcap_jni.c owns the exception classes (looked up in JNI_OnLoad) and throw_error; the
 * other files register their natives on the Native class from there. */
#ifndef PODCAP_JNI_UTIL_H
#define PODCAP_JNI_UTIL_H

#include <jni.h>

#include "error.h"

/* Throws err as IllegalArgumentException (ARGUMENT), CapturePermissionException (PERMISSION) or CaptureException. */
void throw_error(JNIEnv *env, const pc_error *err);

/* Register Native.links and Native.compileFilter; 0, or nonzero with a Java exception pending. */
int pc_links_jni_register(JNIEnv *env, jclass natives);
int pc_filter_jni_register(JNIEnv *env, jclass natives);

#endif
