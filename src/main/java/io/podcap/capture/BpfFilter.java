package io.podcap.capture;

import io.netty.buffer.ByteBuf;

/**
 * A classic BPF program compiled by libpcap (tcpdump syntax) and run in Java, for packets that do not come from a live
 * capture (whose filter runs in the kernel). One native call to compile, none per packet, no allocation per packet.
 */
public final class BpfFilter {
    private static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06;
    private static final int W = 0x00, H = 0x08, B = 0x10;
    private static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
    private static final int SRC_X = 0x08;
    private static final int MEMWORDS = 16;

    private final String expression;
    private final int[] code;
    private final int[] jt;
    private final int[] jf;
    private final int[] k;
    private final int[] scratch = new int[MEMWORDS]; // makes an instance single-threaded

    private BpfFilter(String expression, long[] program) {
        this.expression = expression;
        int n = program.length;
        code = new int[n];
        jt = new int[n];
        jf = new int[n];
        k = new int[n];
        for (int i = 0; i < n; i++) {
            long insn = program[i];
            code[i] = (int) (insn >>> 48) & 0xffff;
            jt[i] = (int) (insn >>> 40) & 0xff;
            jf[i] = (int) (insn >>> 32) & 0xff;
            k[i] = (int) insn;
        }
        validate();
    }

    /** Compiles a tcpdump-syntax expression for a link type; a bad one is an IllegalArgumentException. */
    public static BpfFilter compile(String expression, int linkType, int snaplen) {
        Native.ensureLoaded();
        return new BpfFilter(expression, Native.compileFilter(expression, linkType, snaplen));
    }

    public String expression() {
        return expression;
    }

    public boolean matches(PacketView p) {
        return run(p.data(), p.offset(), p.caplen(), p.wirelen()) != 0;
    }

    /** Runs the program over caplen bytes at offset; returns the snap length it asks for (0: reject). */
    public int run(ByteBuf buf, int offset, int caplen, int wirelen) {
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            int c = code[pc];
            int kk = k[pc];
            switch (c & 0x07) {
                case LD -> {
                    int mode = c & 0xe0;
                    if (mode == IMM) {
                        a = kk;
                    } else if (mode == MEM) {
                        a = scratch[kk];
                    } else if (mode == LEN) {
                        a = wirelen;
                    } else {
                        long at = (mode == IND ? (x & 0xffffffffL) : 0) + (kk & 0xffffffffL);
                        int size = (c & 0x18) == W ? 4 : (c & 0x18) == H ? 2 : 1;
                        if (at + size > caplen) {
                            return 0; // past the captured bytes: the kernel rejects too
                        }
                        int i = offset + (int) at;
                        a = size == 4 ? buf.getInt(i) : size == 2 ? buf.getUnsignedShort(i) : buf.getUnsignedByte(i);
                    }
                }
                case LDX -> {
                    int mode = c & 0xe0;
                    if (mode == IMM) {
                        x = kk;
                    } else if (mode == MEM) {
                        x = scratch[kk];
                    } else if (mode == LEN) {
                        x = wirelen;
                    } else { // MSH: the IPv4 header length at k
                        if ((kk & 0xffffffffL) >= caplen) {
                            return 0;
                        }
                        x = (buf.getUnsignedByte(offset + kk) & 0x0f) << 2;
                    }
                }
                case ST -> scratch[kk] = a;
                case STX -> scratch[kk] = x;
                case ALU -> {
                    int v = (c & SRC_X) != 0 ? x : kk;
                    switch (c & 0xf0) {
                        case 0x00 -> a += v;
                        case 0x10 -> a -= v;
                        case 0x20 -> a *= v;
                        case 0x30 -> {
                            if (v == 0) {
                                return 0;
                            }
                            a = Integer.divideUnsigned(a, v);
                        }
                        case 0x40 -> a |= v;
                        case 0x50 -> a &= v;
                        case 0x60 -> a = (v & 0xffffffffL) >= 32 ? 0 : a << v;
                        case 0x70 -> a = (v & 0xffffffffL) >= 32 ? 0 : a >>> v;
                        case 0x80 -> a = -a;
                        case 0x90 -> {
                            if (v == 0) {
                                return 0;
                            }
                            a = Integer.remainderUnsigned(a, v);
                        }
                        case 0xa0 -> a ^= v;
                        default -> throw new IllegalStateException("bad ALU op " + c); // rejected by validate()
                    }
                }
                case JMP -> {
                    int op = c & 0xf0;
                    if (op == 0x00) {
                        pc += kk;
                    } else {
                        int v = (c & SRC_X) != 0 ? x : kk;
                        boolean taken = switch (op) {
                            case 0x10 -> a == v;
                            case 0x20 -> Integer.compareUnsigned(a, v) > 0;
                            case 0x30 -> Integer.compareUnsigned(a, v) >= 0;
                            default -> (a & v) != 0; // JSET
                        };
                        pc += taken ? jt[pc] : jf[pc];
                    }
                }
                case RET -> {
                    int rval = c & 0x18;
                    return rval == 0x10 ? a : rval == SRC_X ? x : kk;
                }
                default -> { // MISC
                    if ((c & 0xf8) == 0x80) {
                        a = x; // TXA
                    } else {
                        x = a; // TAX
                    }
                }
            }
            pc++;
        }
    }

    /** Rejects what could make run() leave the program or the scratch memory, as the kernel's checker does. */
    private void validate() {
        int n = code.length;
        if (n == 0 || (code[n - 1] & 0x07) != RET) {
            throw new IllegalArgumentException("BPF program for '" + expression + "' does not end with a return");
        }
        for (int pc = 0; pc < n; pc++) {
            int c = code[pc];
            int cls = c & 0x07;
            boolean ok = switch (cls) {
                case LD, LDX -> (c & 0xe0) != MEM || (k[pc] >= 0 && k[pc] < MEMWORDS);
                case ST, STX -> k[pc] >= 0 && k[pc] < MEMWORDS;
                case ALU -> (c & 0xf0) <= 0xa0;
                case JMP -> (c & 0xf0) == 0x00
                        ? k[pc] >= 0 && pc + 1 + (long) k[pc] < n
                        : (c & 0xf0) <= 0x40 && pc + 1 + jt[pc] < n && pc + 1 + jf[pc] < n;
                default -> true;
            };
            if (!ok) {
                throw new IllegalArgumentException("BPF instruction " + pc + " of '" + expression + "' is invalid");
            }
        }
    }
}
