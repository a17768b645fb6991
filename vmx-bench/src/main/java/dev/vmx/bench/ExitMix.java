package dev.vmx.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic inputs: exit reasons drawn with the frequencies KVM counted for a real Ubuntu guest
 * (the bundled {@code exit-counts-ubuntu-guest.txt}, origin in its header: HLT, MSR writes,
 * external interrupts, I/O and CPUID dominate), with a few enclave, bus-lock and failed-entry
 * values mixed in so no branch is never taken.
 */
final class ExitMix {
    /** Basic reason numbers and their counts, from the bundled resource. */
    private static final long[][] WEIGHTS = weights();

    private ExitMix() {
    }

    private static long[][] weights() {
        List<long[]> rows = new ArrayList<>();
        String resource = "exit-counts-ubuntu-guest.txt";
        InputStream in = ExitMix.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing resource " + resource + " next to " + ExitMix.class.getName());
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.trim().split("\\s+");
                if (columns.length != 2) {
                    throw new IllegalStateException(resource + " line " + lineNumber + ": expected 'reason count': " + line);
                }
                rows.add(new long[] {Integer.parseInt(columns[0]), Long.parseLong(columns[1])});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows.toArray(new long[0][]);
    }

    static int[] rawExitReasons(int count, SplittableRandom random) {
        long total = 0;
        for (long[] weight : WEIGHTS) {
            total += weight[1];
        }
        int[] raws = new int[count];
        for (int i = 0; i < count; i++) {
            long pick = random.nextLong(total);
            int basic = 0;
            for (long[] weight : WEIGHTS) {
                pick -= weight[1];
                if (pick < 0) {
                    basic = (int) weight[0];
                    break;
                }
            }
            int raw = basic;
            int rare = random.nextInt(1000);
            if (rare < 3) {
                raw = 0x8000_0021; // INVALID_STATE | VM_ENTRY_FAILURE
            } else if (rare < 8 && basic == 48) {
                raw |= 1 << 27; // enclave mode
            } else if (rare < 10) {
                raw |= 1 << 26; // bus lock detected
            }
            raws[i] = raw;
        }
        return raws;
    }
}
