package dev.vmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The message points at the input and the place it broke, readably even for a whole file. */
class VmxParseExceptionTest {
    @Test
    void aShortInputIsQuotedWhole() {
        VmxParseException e = new VmxParseException("unknown exit reason", "EPT_VIOLATON", 0);
        assertEquals("unknown exit reason at index 0 of 'EPT_VIOLATON'", e.getMessage());
        VmxParseException line = new VmxParseException("no value", "GUEST_RIP =", 11, 7);
        assertEquals("no value at line 7, column 12 of 'GUEST_RIP ='", line.getMessage());
    }

    @Test
    void ofAMultiLineInputTheMessageQuotesTheLineThatBrokeAndInputKeepsAll() {
        String text = "name: kvm_exit\nID: 1\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\n"
                + "\tfield:int common_pid;\toffset:4;\tsize:four;\n\nprint fmt: \"x\"\n";
        int broken = text.indexOf("four");
        VmxParseException e = new VmxParseException("size is no number", text, broken);
        String message = e.getMessage();
        assertTrue(message.startsWith("size is no number at index " + broken + " of " + text.length()
                + " characters (its line 5, column " + (broken - text.lastIndexOf('\n', broken) ) + "): '"), message);
        assertTrue(message.endsWith("'\tfield:int common_pid;\toffset:4;\tsize:four;'"), message);
        assertFalse(message.contains("print fmt"), message);
        assertEquals(text, e.input());
        assertEquals(broken, e.errorIndex());
    }

    @Test
    void ofALongLineTheMessageQuotesAWindowAroundTheError() {
        String line = "a".repeat(500) + "#" + "b".repeat(500);
        VmxParseException e = new VmxParseException("unexpected '#'", line, 500, 3);
        String message = e.getMessage();
        String window = "..." + "a".repeat(VmxParseException.QUOTED_AROUND) + "#"
                + "b".repeat(VmxParseException.QUOTED_AROUND - 1) + "...";
        assertEquals("unexpected '#' at line 3, column 501 of 1001 characters: '" + window + "'", message);
        // an error at the very end (input ended too early) quotes the end
        VmxParseException atEnd = new VmxParseException("ended early", line, line.length());
        assertTrue(atEnd.getMessage().endsWith("b".repeat(VmxParseException.QUOTED_AROUND) + "'"), atEnd.getMessage());
    }
}
