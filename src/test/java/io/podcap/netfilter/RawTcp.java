package io.podcap.netfilter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import java.net.InetAddress;

/** IPv4/TCP packets of link type RAW, as PacketViews, for correlator tests without a capture. */
final class RawTcp {
    static final PacketSource SOURCE = new PacketSource() {
        @Override
        public String namespace() {
            return "test";
        }

        @Override
        public String interfaceName(int ifindex) {
            return "eth0";
        }
    };

    private RawTcp() {
    }

    static PacketView view6(long timeNanos, String src, int sport, String dst, int dport, long seq, int flags)
            throws Exception {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(0x60000000).writeShort(20).writeByte(6).writeByte(64)
                .writeBytes(InetAddress.getByName(src).getAddress()).writeBytes(InetAddress.getByName(dst).getAddress());
        b.writeShort(sport).writeShort(dport).writeInt((int) seq).writeInt(0).writeByte(0x50).writeByte(flags)
                .writeShort(65535).writeShort(0).writeShort(0);
        return new PacketView().wrap(b, 0, b.readableBytes(), b.readableBytes(), timeNanos, 2, LinkType.RAW, SOURCE);
    }

    static PacketView view(long timeNanos, String src, int sport, String dst, int dport, int ipId, long seq,
                           int flags, String payload) throws Exception {
        byte[] data = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x45).writeByte(0).writeShort(40 + data.length).writeShort(ipId).writeShort(0x4000)
                .writeByte(64).writeByte(6).writeShort(0)
                .writeBytes(InetAddress.getByName(src).getAddress()).writeBytes(InetAddress.getByName(dst).getAddress());
        b.writeShort(sport).writeShort(dport).writeInt((int) seq).writeInt(0).writeByte(0x50).writeByte(flags)
                .writeShort(65535).writeShort(0).writeShort(0).writeBytes(data);
        return new PacketView().wrap(b, 0, b.readableBytes(), b.readableBytes(), timeNanos, 2, LinkType.RAW, SOURCE);
    }
}
