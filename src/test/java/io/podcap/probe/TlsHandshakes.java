package io.podcap.probe;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Both sides of an HTTPS probe's TLS handshake, as programs for the namespace tests:
 * <ul>
 * <li>{@code serve ADDRESS PORT KEYSTORE PASSWORD}: completes the handshake on each connection with the PKCS12 key,
 * then waits for the client to close. Prints "ready" once listening.</li>
 * <li>{@code probe ADDRESS PORT COUNT GAP_MS}: COUNT handshakes, each on a new connection closed once the handshake is
 * done, started GAP_MS after the previous one (or once it is done); like the kubelet it does not verify the
 * certificate. Prints "handshake" per completed one.</li>
 * </ul>
 */
public final class TlsHandshakes {
    private TlsHandshakes() {
    }

    private static void serve(String address, int port, String keystore, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 16);
            System.out.println("ready");
            System.out.flush();
            while (true) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setSoTimeout(2000);
                    s.startHandshake();
                    while (s.getInputStream().read() >= 0) {
                        // until the client closes
                    }
                } catch (IOException e) {
                    System.err.println("tls server: " + e);
                }
            }
        }
    }

    private static void probe(String address, int port, int count, long gapMillis)
            throws IOException, GeneralSecurityException, InterruptedException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, null);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(address), port);
        for (int i = 0; i < count; i++) {
            // each start GAP_MS after the previous one: the JVMs' first handshake takes longer than a period, and
            // catching up after it would bunch the next starts
            long start = System.nanoTime();
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(target, 1000);
                s.setSoTimeout(1000);
                s.startHandshake();
                System.out.println("handshake");
            }
            long wait = start + gapMillis * 1_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
        }
    }

    /** The kubelet's HTTPS probes skip verification (InsecureSkipVerify). */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static void main(String[] args) throws Exception {
        if ("serve".equals(args[0])) {
            serve(args[1], Integer.parseInt(args[2]), args[3], args[4].toCharArray());
        } else {
            probe(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
        }
    }
}
