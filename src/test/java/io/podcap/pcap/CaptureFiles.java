package io.podcap.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test data: random packets, hand-made capture files in either byte order, and collecting what a reader delivers. */
final class CaptureFiles {
    private CaptureFiles() {
    }

    /** A packet as written or read. */
    record Packet(int iface, long tsNanos, byte[] data, int wirelen) {
    }

    /** Ethernet frames with an experimental ethertype, so tshark shows them as plain data. */
    static List<Packet> randomPackets(long seed, int count, int ifaces) {
        Random r = new Random(seed);
        List<Packet> out = new ArrayList<>();
        long ts = 1_700_000_000_000_000_000L + r.nextInt(1_000_000_000);
        for (int i = 0; i < count; i++) {
            int len = i % 17 == 0 ? 1514 : 14 + r.nextInt(300);
            byte[] d = new byte[len];
            r.nextBytes(d);
            d[12] = (byte) 0x88;
            d[13] = (byte) 0xb5;
            int wirelen = i % 5 == 0 ? len + r.nextInt(2000) : len;
            ts += 1 + r.nextInt(50_000_000);
            out.add(new Packet(ifaces == 1 ? 0 : r.nextInt(ifaces), ts, d, wirelen));
        }
        return out;
    }

    static void write(PcapngWriter w, List<Packet> packets) throws IOException {
        for (Packet p : packets) {
            ByteBuf b = Unpooled.wrappedBuffer(p.data());
            w.writePacket(p.iface(), p.tsNanos(), b, 0, p.data().length, p.wirelen());
        }
    }

    /** Copies every packet a reader delivers. */
    static final class Collector implements PacketHandler {
        final List<Packet> packets = new ArrayList<>();
        final List<PacketView> views = new ArrayList<>();
        int batches;

        @Override
        public void onPacket(PacketView v) {
            byte[] d = new byte[v.caplen()];
            v.data().getBytes(v.offset(), d);
            packets.add(new Packet(v.ifindex(), v.timestampNanos(), d, v.wirelen()));
            if (!views.contains(v)) {
                views.add(v);
            }
        }

        @Override
        public void onBatchEnd() {
            batches++;
        }
    }

    static List<Packet> readAll(Path file) throws IOException {
        try (PcapReader r = PcapReader.open(file)) {
            Collector c = new Collector();
            r.readAll(c);
            return c.packets;
        }
    }

    /** Little builder for hand-made files: appends numbers in the chosen byte order. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;

        Bytes(ByteOrder order) {
            this.order = order;
        }

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return raw(ByteBuffer.allocate(2).order(order).putShort((short) v).array());
        }

        Bytes u32(long v) {
            return raw(ByteBuffer.allocate(4).order(order).putInt((int) v).array());
        }

        Bytes u64(long v) {
            return raw(ByteBuffer.allocate(8).order(order).putLong(v).array());
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Bytes pad4() {
            while (out.size() % 4 != 0) {
                out.write(0);
            }
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Classic pcap, either byte order, µs or ns. */
    static byte[] classicPcap(ByteOrder order, boolean nanos, int linkType, int snaplen, List<Packet> packets) {
        Bytes b = new Bytes(order);
        b.u32(nanos ? 0xA1B23C4DL : 0xA1B2C3D4L).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(linkType);
        long unit = nanos ? 1 : 1000;
        for (Packet p : packets) {
            b.u32(p.tsNanos() / 1_000_000_000L).u32(p.tsNanos() % 1_000_000_000L / unit)
                    .u32(p.data().length).u32(p.wirelen()).raw(p.data());
        }
        return b.toByteArray();
    }

    /** Hand-made pcapng blocks in either byte order. */
    static final class Pcapng {
        final Bytes b;
        final ByteOrder order;

        Pcapng(ByteOrder order) {
            this.order = order;
            this.b = new Bytes(order);
        }

        Pcapng block(int type, byte[] body) {
            int len = 12 + ((body.length + 3) & ~3);
            b.u32(type).u32(len).raw(body).pad4().u32(len);
            return this;
        }

        Bytes body() {
            return new Bytes(order);
        }

        Pcapng shb() {
            return block(0x0A0D0D0A, body().u32(0x1A2B3C4D).u16(1).u16(0).u64(-1).toByteArray());
        }

        /** @param tsresol if_tsresol byte, or -1 for none; @param tsoffset seconds, or 0 for none */
        Pcapng idb(int linkType, int snaplen, String name, int tsresol, long tsoffset) {
            Bytes o = body().u16(linkType).u16(0).u32(snaplen);
            if (name != null) {
                byte[] n = name.getBytes(StandardCharsets.UTF_8);
                o.u16(2).u16(n.length).raw(n).pad4();
            }
            if (tsresol >= 0) {
                o.u16(9).u16(1).u8(tsresol).pad4();
            }
            if (tsoffset != 0) {
                o.u16(14).u16(8).u64(tsoffset);
            }
            o.u16(0).u16(0);
            return block(1, o.toByteArray());
        }

        Pcapng epb(int iface, long ticks, byte[] data, int wirelen) {
            Bytes o = body().u32(iface).u32(ticks >>> 32).u32(ticks).u32(data.length).u32(wirelen).raw(data).pad4();
            return block(6, o.toByteArray());
        }

        Pcapng spb(byte[] data, int wirelen) {
            return block(3, body().u32(wirelen).raw(data).pad4().toByteArray());
        }

        Pcapng pb(int iface, long ticks, byte[] data, int wirelen) {
            Bytes o = body().u16(iface).u16(0).u32(ticks >>> 32).u32(ticks).u32(data.length).u32(wirelen)
                    .raw(data).pad4();
            return block(2, o.toByteArray());
        }

        byte[] toByteArray() {
            return b.toByteArray();
        }
    }
}
