package io.podcap.flow;

import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Ethernet frames with IPv4/IPv6 and TCP/UDP/ICMP built byte by byte, and views over them, for flow tests. */
public final class Frames {
    public static final PacketSource SOURCE = new PacketSource() {
        @Override
        public String namespace() { return "netns:test"; }

        @Override
        public String interfaceName(int ifindex) { return ifindex == 2 ? "eth0" : "if" + ifindex; }
    };

    private Frames() {
    }

    public static PacketView view(byte[] frame, long tsNanos) {
        return view(frame, frame.length, tsNanos);
    }

    public static PacketView view(byte[] frame, int caplen, long tsNanos) {
        return new PacketView().wrap(Unpooled.wrappedBuffer(frame), 0, caplen, frame.length, tsNanos, 2,
                LinkType.ETHERNET, SOURCE);
    }

    public static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags, int window,
                      byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack);
        b.putShort((short) (5 << 12 | flags)).putShort((short) window).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return ip(src, dst, 6, b.array());
    }

    public static byte[] udp(String src, int sport, String dst, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return ip(src, dst, 17, b.array());
    }

    /** ICMP or ICMPv6 echo request ({@code request}) or reply. */
    public static byte[] echo(String src, String dst, boolean request, int id, int seq) {
        boolean v6 = addr(src).length == 16;
        int type = v6 ? (request ? 128 : 129) : (request ? 8 : 0);
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq);
        return ip(src, dst, v6 ? 58 : 1, b.array());
    }

    /** IPv4 or IPv6 (by the address) in Ethernet. */
    public static byte[] ip(String src, String dst, int protocol, byte[] l4) {
        byte[] s = addr(src);
        byte[] d = addr(dst);
        ByteBuffer b;
        if (s.length == 4) {
            b = ByteBuffer.allocate(14 + 20 + l4.length);
            ethernet(b, 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 1)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0).put(s).put(d);
            int sum = 0;
            for (int i = 14; i < 34; i += 2) {
                sum += b.getShort(i) & 0xffff;
            }
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            b.putShort(24, (short) ~sum);
        } else {
            b = ByteBuffer.allocate(14 + 40 + l4.length);
            ethernet(b, 0x86dd);
            b.putInt(0x60000000).putShort((short) l4.length).put((byte) protocol).put((byte) 64).put(s).put(d);
        }
        return b.put(l4).array();
    }

    private static void ethernet(ByteBuffer b, int etherType) {
        b.put(new byte[] {2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a}).putShort((short) etherType);
    }

    /** One TCP connection's packets with consistent sequence numbers. */
    public static final class Tcp {
        final String client;
        final int clientPort;
        final String server;
        final int serverPort;
        public long clientSeq = 1000;
        public long serverSeq = 5000;

        public Tcp(String client, int clientPort, String server, int serverPort) {
            this.client = client;
            this.clientPort = clientPort;
            this.server = server;
            this.serverPort = serverPort;
        }

        public byte[] syn() { return c(clientSeq, 0, 0x02, new byte[0]); }

        public byte[] synAck() { return s(serverSeq, clientSeq + 1, 0x12, new byte[0]); }

        /** The client's ACK completing the handshake; from then on sequence numbers advance. */
        public byte[] ack() {
            clientSeq++;
            serverSeq++;
            return c(clientSeq, serverSeq, 0x10, new byte[0]);
        }

        public byte[] data(boolean fromClient, byte[] payload) {
            byte[] f = fromClient ? c(clientSeq, serverSeq, 0x18, payload) : s(serverSeq, clientSeq, 0x18, payload);
            if (fromClient) {
                clientSeq += payload.length;
            } else {
                serverSeq += payload.length;
            }
            return f;
        }

        /** Pure ACK advertising {@code window}. */
        public byte[] window(boolean fromClient, int window) {
            return fromClient ? tcp(client, clientPort, server, serverPort, clientSeq, serverSeq, 0x10, window,
                    new byte[0]) : tcp(server, serverPort, client, clientPort, serverSeq, clientSeq, 0x10, window,
                    new byte[0]);
        }

        public byte[] fin(boolean fromClient) {
            byte[] f = fromClient ? c(clientSeq, serverSeq, 0x11, new byte[0]) : s(serverSeq, clientSeq, 0x11,
                    new byte[0]);
            if (fromClient) {
                clientSeq++;
            } else {
                serverSeq++;
            }
            return f;
        }

        public byte[] rst(boolean fromClient) {
            return fromClient ? c(clientSeq, 0, 0x04, new byte[0]) : s(serverSeq, clientSeq + 1, 0x14, new byte[0]);
        }

        public byte[] c(long seq, long ack, int flags, byte[] payload) {
            return tcp(client, clientPort, server, serverPort, seq, ack, flags, 65535, payload);
        }

        public byte[] s(long seq, long ack, int flags, byte[] payload) {
            return tcp(server, serverPort, client, clientPort, seq, ack, flags, 65535, payload);
        }
    }
}
