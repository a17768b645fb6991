package dev.vmx.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each typed benchmark and its raw baseline do the same work: same checksum on the same input. */
class ChecksumAgreementTest {
    @Test
    void exitReasonTypedAndRawAgree() {
        for (long seed = 0; seed < 20; seed++) {
            int[] raws = ExitMix.rawExitReasons(ExitReasonBenchmark.EXITS, new SplittableRandom(seed));
            long typed = ExitReasonBenchmark.typedChecksum(raws);
            assertEquals(ExitReasonBenchmark.rawChecksum(raws), typed, "seed " + seed);
            assertEquals(typed, ExitReasonBenchmark.typedNumberChecksum(raws), "seed " + seed);
            assertEquals(typed, ExitReasonBenchmark.typedViewChecksum(raws), "seed " + seed);
            assertNotEquals(0, typed);
        }
        // every raw value, not only the mix: the two dispatchers must never disagree
        int[] all = new int[1 << 16];
        for (int flags = 0; flags < 32; flags++) {
            for (int basic = 0; basic < all.length; basic++) {
                all[basic] = basic | ((flags & 0xF) << 26) | ((flags & 0x10) << 27);
            }
            assertEquals(ExitReasonBenchmark.rawChecksum(all), ExitReasonBenchmark.typedChecksum(all), "flags " + flags);
            assertEquals(ExitReasonBenchmark.rawChecksum(all), ExitReasonBenchmark.typedNumberChecksum(all), "flags " + flags);
            assertEquals(ExitReasonBenchmark.rawChecksum(all), ExitReasonBenchmark.typedViewChecksum(all), "flags " + flags);
        }
    }

    @Test
    void qualificationTypedAndRawAgree() {
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            long[] ept = QualificationMix.eptViolations(QualificationBenchmark.VALUES, random);
            long[] cr = QualificationMix.crAccesses(QualificationBenchmark.VALUES, random);
            long[] io = QualificationMix.ioInstructions(QualificationBenchmark.VALUES, random);
            int[] infos = QualificationMix.interruptionInfos(QualificationBenchmark.VALUES, random);
            assertEquals(QualificationBenchmark.eptBaseline(ept), QualificationBenchmark.eptTyped(ept), "ept " + seed);
            assertEquals(QualificationBenchmark.crBaseline(cr), QualificationBenchmark.crTyped(cr), "cr " + seed);
            assertEquals(QualificationBenchmark.crBaseline(cr), QualificationBenchmark.crTypedPredicates(cr), "cr " + seed);
            assertEquals(QualificationBenchmark.ioBaseline(io), QualificationBenchmark.ioTyped(io), "io " + seed);
            assertEquals(QualificationBenchmark.interruptionBaseline(infos), QualificationBenchmark.interruptionTyped(infos),
                    "interruption " + seed);
            assertNotEquals(0, QualificationBenchmark.eptTyped(ept));
        }
        // every single bit and all-ones, so no bit position can differ unnoticed
        long[] bits = new long[66];
        int[] intBits = new int[34];
        for (int bit = 0; bit < 64; bit++) {
            bits[bit] = 1L << bit;
        }
        bits[64] = -1L;
        for (int bit = 0; bit < 32; bit++) {
            intBits[bit] = 1 << bit | 0x8000_0000;
        }
        intBits[32] = -1;
        assertEquals(QualificationBenchmark.eptBaseline(bits), QualificationBenchmark.eptTyped(bits));
        assertEquals(QualificationBenchmark.crBaseline(bits), QualificationBenchmark.crTyped(bits));
        assertEquals(QualificationBenchmark.crBaseline(bits), QualificationBenchmark.crTypedPredicates(bits));
        assertEquals(QualificationBenchmark.ioBaseline(bits), QualificationBenchmark.ioTyped(bits));
        assertEquals(QualificationBenchmark.interruptionBaseline(intBits), QualificationBenchmark.interruptionTyped(intBits));
    }

    /**
     * A page copy cannot share a checksum with a decode, so each side is checked against what the
     * pages were built from: every event decoded, every exit code recovered, every page byte copied.
     */
    @Test
    void tracefsDecodeRecoversWhatThePagesHold() {
        SamplePages sample = SamplePages.build(TracefsPageBenchmark.PAGES, 11);
        TracefsPageBenchmark.FieldSum sink = new TracefsPageBenchmark.FieldSum();
        dev.vmx.hw.tracefs.RingBufferDecoder decoder = sample.decoder();
        TracefsPageBenchmark.decode(decoder, sample.pages(), sink);
        assertEquals(sample.events(), sink.events);
        assertEquals(sample.exitCodeSum(), sink.exitCodes);
        assertEquals(sample.events(), TracefsPageBenchmark.eventsPerCall());
        assertEquals(0, decoder.stats().corruptPages() + decoder.stats().truncatedPages());
        byte[] copy = new byte[decoder.pageSize()];
        TracefsPageBenchmark.copy(sample.pages(), copy);
        java.nio.ByteBuffer last = sample.pages().get(sample.pages().size() - 1);
        for (int i = 0; i < copy.length; i++) {
            assertEquals(last.get(i), copy[i], "byte " + i);
        }
    }

    @Test
    void fieldLookupTypedAndRawAgree() {
        {
            int[] encodings = FieldLookupBenchmark.encodings(FieldLookupBenchmark.LOOKUPS, new SplittableRandom(5));
            assertEquals(FieldLookupBenchmark.arrayIndexChecksum(encodings, FieldLookupBenchmark.plainTable()),
                    FieldLookupBenchmark.fromEncodingChecksum(encodings));
            assertEquals(FieldLookupBenchmark.arrayIndexChecksum(encodings, FieldLookupBenchmark.plainTable()),
                    FieldLookupBenchmark.ofChecksum(encodings));
            assertEquals(FieldLookupBenchmark.maskChecksum(encodings), FieldLookupBenchmark.decodeChecksum(encodings));
        }
        int[] every = new int[0x8000];
        int wellFormed = 0;
        for (int encoding = 0; encoding < every.length; encoding++) {
            every[encoding] = encoding;
        }
        assertEquals(FieldLookupBenchmark.arrayIndexChecksum(every, FieldLookupBenchmark.plainTable()),
                FieldLookupBenchmark.fromEncodingChecksum(every));
        for (int encoding = 0; encoding < every.length; encoding++) {
            if (dev.vmx.vmcs.FieldEncoding.isWellFormed(encoding)) {
                every[wellFormed++] = encoding;
            }
        }
        int[] valid = java.util.Arrays.copyOf(every, wellFormed);
        assertEquals(FieldLookupBenchmark.maskChecksum(valid), FieldLookupBenchmark.decodeChecksum(valid));
    }
}
