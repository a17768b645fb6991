package dev.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.VmxParseException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded source: its text format's error paths, its copies, and concurrent readers. */
class InMemoryVmcsSourceTest {

    private static VmxParseException parseError(String text) {
        return assertThrows(VmxParseException.class, () -> VmcsText.parse(text));
    }

    @Test
    void everyErrorNamesLineColumnAndTheLine() {
        VmxParseException emptyHex = parseError("GUEST_RIP = 0x1\nGUEST_RSP = 0x\n");
        assertEquals("missing digits after '0x' at line 2, column 15 of 'GUEST_RSP = 0x'", emptyHex.getMessage());

        VmxParseException oversize32 = parseError("# exit\nVM_EXIT_REASON = 0x100000000\n");
        assertEquals(2, oversize32.lineNumber());
        assertEquals(17, oversize32.errorIndex(), "points at the value");
        assertTrue(oversize32.getMessage().startsWith("value 0x100000000 does not fit VM_EXIT_REASON, a 32-bit field"),
                oversize32.getMessage());

        VmxParseException trailing = parseError("GUEST_RIP = 0x1 0x2\n");
        assertEquals("unexpected character ' ' in hexadecimal value at line 1, column 16 of 'GUEST_RIP = 0x1 0x2'",
                trailing.getMessage());

        VmxParseException negative = parseError("GUEST_RIP = -1\n");
        assertEquals(12, negative.errorIndex());

        VmxParseException noName = parseError("\n\n  = 5\n");
        assertEquals("expected a VMCS field name at line 3, column 3 of '  = 5'", noName.getMessage());
    }

    /** A field is the same field under its Linux name, its SDM alias or another case: a second line is an error. */
    @Test
    void duplicatesAreFoundWhateverNameTheyUse() {
        VmxParseException alias = parseError("GUEST_RIP = 1\nVMCS_GUEST_RIP = 2\n");
        assertEquals(2, alias.lineNumber());
        assertEquals(0, alias.errorIndex());
        assertTrue(alias.getMessage().startsWith("GUEST_RIP given twice (first on line 1) at line 2, column 1"), alias.getMessage());

        VmxParseException lowerCase = parseError("VM_EXIT_REASON = 0x30\n\n  vm_exit_reason = 0x30 # same value, still twice\n");
        assertEquals(3, lowerCase.lineNumber());
        assertEquals(2, lowerCase.errorIndex());
    }

    @Test
    void windowsLineEndingsTabsAndUpperCaseHexAreRead() {
        VmcsSnapshot vmcs = VmcsText.parse("VM_EXIT_REASON\t=\t0X30\r\nGUEST_RIP = 0xFFFFFFFF81000000\r\n");
        assertEquals(0x30, vmcs.read(VmcsField.VM_EXIT_REASON));
        assertEquals(0xFFFFFFFF81000000L, vmcs.guestRip());
        assertEquals(VmcsSnapshot.builder().build(), VmcsText.parse("# nothing but a comment\n\n"));
    }

    @Test
    void aFailedLoadFromAReaderKeepsThePreviousVmcs() {
        InMemoryVmcsSource source = VmcsSources.embedded();
        VmcsSnapshot first = source.load(new java.io.StringReader("GUEST_RIP = 0x1000\n"));
        assertEquals(first, source.read());
        VmxParseException error = assertThrows(VmxParseException.class,
                () -> source.load(new java.io.StringReader("GUEST_RIP = 0x2000\nGUEST_CS_SELECTOR = 0x10000\n")));
        assertEquals(2, error.lineNumber());
        assertEquals(0x1000, source.read().guestRip());
    }

    @Test
    void loadingAMissingFileNamesIt(@TempDir Path dir) {
        Path missing = dir.resolve("no-such.vmcs");
        UncheckedIOException error = assertThrows(UncheckedIOException.class, () -> VmcsSources.embedded().load(missing));
        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    }

    @Test
    void whatItSavesItLoadsBackIdentically(@TempDir Path dir) throws Exception {
        VmcsSnapshot vmcs = VmcsSnapshot.builder().put(VmcsField.VM_EXIT_REASON, 0x80000021L)
                .put(VmcsField.GUEST_CS_SELECTOR, 0xf000).put(VmcsField.EPT_POINTER, 0x1234_5000_005eL)
                .put(VmcsField.GUEST_RIP, -16L).build();
        InMemoryVmcsSource source = InMemoryVmcsSource.of(vmcs);
        java.io.StringWriter text = new java.io.StringWriter();
        source.save(text);
        Path file = dir.resolve("saved.vmcs");
        Files.writeString(file, text.toString());
        InMemoryVmcsSource other = VmcsSources.embedded();
        assertEquals(vmcs, other.load(file));
        java.io.StringWriter again = new java.io.StringWriter();
        other.save(again);
        assertEquals(text.toString(), again.toString(), "byte for byte");
    }

    /** write() takes a copy: a mutable Vmcs changed afterwards does not change what the source holds. */
    @Test
    void writeCopiesAMutableVmcs() {
        Map<VmcsField, Long> backing = new EnumMap<>(VmcsField.class);
        backing.put(VmcsField.GUEST_RIP, 0x1000L);
        Vmcs live = new Vmcs() {
            @Override
            public OptionalLong find(VmcsField field) {
                Long value = backing.get(field);
                return value == null ? OptionalLong.empty() : OptionalLong.of(value);
            }

            @Override
            public Set<VmcsField> fields() {
                return backing.keySet();
            }
        };
        InMemoryVmcsSource source = InMemoryVmcsSource.of(live);
        backing.put(VmcsField.GUEST_RIP, 0x2000L);
        assertEquals(0x1000L, source.read().guestRip());
    }

    /**
     * Safe for concurrent readers: while one thread replaces the VMCS, every read sees one whole
     * generation (all fields of one write), never a mix. Bounded by counts, not by time.
     */
    @Test
    void concurrentReadersSeeWholeSnapshots() throws Exception {
        VmcsField[] fields = {VmcsField.GUEST_RIP, VmcsField.GUEST_RSP, VmcsField.GUEST_CR3, VmcsField.EXIT_QUALIFICATION,
            VmcsField.VM_EXIT_REASON};
        InMemoryVmcsSource source = InMemoryVmcsSource.of(generation(fields, 0));
        int readers = 3;
        int generations = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Future<?> writer = pool.submit(() -> {
                start.await();
                for (int g = 1; g <= generations; g++) {
                    source.write(generation(fields, g));
                }
                return null;
            });
            java.util.List<Future<Integer>> results = new java.util.ArrayList<>();
            for (int r = 0; r < readers; r++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int reads = 0;
                    long last = -1;
                    while (last < generations) {
                        VmcsSnapshot seen = source.read();
                        long g = seen.read(fields[0]);
                        for (VmcsField field : fields) {
                            if (seen.read(field) != g) {
                                throw new AssertionError("mixed generations in one read: " + seen);
                            }
                        }
                        if (g < last) {
                            throw new AssertionError("went back from generation " + last + " to " + g);
                        }
                        last = g;
                        reads++;
                    }
                    return reads;
                }));
            }
            start.countDown();
            writer.get(1, TimeUnit.MINUTES);
            for (Future<Integer> result : results) {
                assertTrue(result.get(1, TimeUnit.MINUTES) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(generations, source.read().guestRip());
    }

    private static VmcsSnapshot generation(VmcsField[] fields, long g) {
        VmcsSnapshot.Builder builder = VmcsSnapshot.builder();
        for (VmcsField field : fields) {
            builder.put(field, g);
        }
        return builder.build();
    }
}
