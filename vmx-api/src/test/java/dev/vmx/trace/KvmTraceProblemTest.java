package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Problems of trace text (a line) and of binary traces (a byte offset), and the summary that tells them apart. */
class KvmTraceProblemTest {
    @Test
    void aLineOfTextHasItsNumberAndText() {
        KvmTraceProblem problem = KvmTraceProblem.of(12, "no [CPU] field", "garbage");
        assertFalse(problem.inBinaryTrace());
        assertEquals(-1, problem.fileOffset());
        assertEquals("line 12", problem.where());
        assertEquals("line 12: no [CPU] field: garbage", problem.toString());
    }

    @Test
    void aBinaryTracesProblemHasAnOffsetAndNoLine() {
        KvmTraceProblem problem = KvmTraceProblem.atOffset(0x21004, "buffer vmxa, CPU 1: 2133 events were lost");
        assertTrue(problem.inBinaryTrace());
        assertEquals(0, problem.lineNumber());
        assertEquals("", problem.line());
        assertEquals(0x21004, problem.fileOffset());
        assertEquals("offset 0x21004", problem.where());
        assertEquals("offset 0x21004: buffer vmxa, CPU 1: 2133 events were lost", problem.toString());
        KvmTraceProblem nowhere = KvmTraceProblem.atOffset(-1, "no EVENT_FORMATS option");
        assertEquals("no offset: no EVENT_FORMATS option", nowhere.toString());
        // a binary problem never equals a text problem with the same words
        assertNotEquals(KvmTraceProblem.of(0, "no EVENT_FORMATS option", ""), nowhere);
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> KvmTraceProblem.atOffset(-2, "x"));
        assertEquals("file offset -2 is below -1", below.getMessage());
    }

    @Test
    void theSummarySaysWhatTheFileWasReadAs() {
        KvmTraceSummary text = new KvmTraceSummary(3, 2, 0, 1, 0, 0, 0, List.of());
        assertEquals(KvmTraceSummary.TEXT, text.format());
        assertTrue(text.isText());
        KvmTraceSummary binary = new KvmTraceSummary("trace.dat v7, zstd", 3, 2, 0, 0, 1, 40, 0,
                List.of(KvmTraceProblem.atOffset(4096, "CPU 0: 40 events were lost")));
        assertFalse(binary.isText());
        assertNotEquals(new KvmTraceSummary(3, 2, 0, 0, 1, 40, 0, binary.problems()), binary);
        assertThrows(NullPointerException.class, () -> new KvmTraceSummary(null, 0, 0, 0, 0, 0, 0, 0, List.of()));
    }
}
