package dev.vmx.bench;

import java.util.SplittableRandom;

/**
 * Realistic qualification and interruption-information values: the common values a running
 * Linux guest produces (read/write/fetch EPT violations with GLA valid and translated access,
 * MOV to CR0/CR3/CR4, serial and PCI config port I/O, #PF/#UD/#GP and external-interrupt infos),
 * with a share of random bits so every branch is taken.
 */
final class QualificationMix {
    private QualificationMix() {
    }

    /** EPT violation qualifications: 0x181 read, 0x182 write, 0x184 fetch, 0x183 ... (GLA valid + translated). */
    static long[] eptViolations(int count, SplittableRandom random) {
        long[] common = {0x181, 0x182, 0x184, 0x189, 0x18a, 0x19a, 0x83, 0x1181, 0x0d, 0x392};
        return pick(count, random, common, 0x1FFFL);
    }

    /** CR access: MOV to CR0/CR3/CR4 from various registers, MOV from CR3, CLTS, LMSW. */
    static long[] crAccesses(int count, SplittableRandom random) {
        long[] common = {0x000, 0x003, 0x004, 0x103, 0x013, 0x020, 0x30 | (0x33L << 16), 0x404, 0xf03};
        return pick(count, random, common, 0xFFFF_FFFFL);
    }

    /** I/O: OUT dx,al to 0x3f8, IN al,dx from 0x3fd, 0xcf8/0xcfc dword, REP OUTSB. */
    static long[] ioInstructions(int count, SplittableRandom random) {
        long[] common = {0x3f8_0000L, 0x3fd_0008L, 0xcf8_0003L, 0xcfc_000bL, 0x3f8_0030L, 0x80_0040L, 0x70_0040L};
        return pick(count, random, common, 0xFFFF_FFFFL);
    }

    /** Interruption infos: #PF with error code, #UD, #GP with code, external interrupt 0xec, NMI, invalid. */
    static int[] interruptionInfos(int count, SplittableRandom random) {
        long[] common = {0x80000b0eL, 0x80000306L, 0x80000b0dL, 0x800000ecL, 0x80000202L, 0x0L, 0x80000300L};
        long[] picked = pick(count, random, common, 0xFFFF_FFFFL);
        int[] infos = new int[count];
        for (int i = 0; i < count; i++) {
            infos[i] = (int) picked[i];
        }
        return infos;
    }

    /** Nine in ten values from the common list, one in ten random within {@code randomMask}. */
    private static long[] pick(int count, SplittableRandom random, long[] common, long randomMask) {
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextInt(10) == 0 ? random.nextLong() & randomMask : common[random.nextInt(common.length)];
        }
        return values;
    }
}
