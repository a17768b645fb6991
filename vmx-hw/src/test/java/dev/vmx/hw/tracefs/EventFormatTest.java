package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.VmxParseException;
import org.junit.jupiter.api.Test;

/** Format files of this machine's kernel parse; malformed lines are named with their position. */
class EventFormatTest {
    @Test
    void realFormatsParse() {
        EventFormat exit = Formats.event("kvm_exit");
        assertEquals("kvm_exit", exit.name());
        assertEquals(new EventFormat.Field("unsigned int exit_reason", "exit_reason", 8, 4, false),
                exit.field("exit_reason").orElseThrow());
        assertEquals(new EventFormat.Field("int common_pid", "common_pid", 4, 4, true), exit.field("common_pid").orElseThrow());
        EventFormat.Field message = Formats.event("kvm_nested_vmenter_failed").field("msg").orElseThrow();
        assertTrue(message.isDataLocation());
        EventFormat header = Formats.headerPage();
        assertEquals(-1, header.id());
        assertEquals(16, header.field("data").orElseThrow().offset());
        assertEquals(4080, header.field("data").orElseThrow().size());
    }

    @Test
    void aBadNumberIsNamedWithItsLine() {
        String text = "name: kvm_x\nID: 7\nformat:\n\tfield:u32 a;\toffset:8;\tsize:four;\tsigned:0;\n";
        VmxParseException error = assertThrows(VmxParseException.class, () -> EventFormat.parse(text));
        assertEquals(4, error.lineNumber());
        assertEquals("size is not a number at line 4, column 30 of '\tfield:u32 a;\toffset:8;\tsize:four;\tsigned:0;'",
                error.getMessage());
        VmxParseException id = assertThrows(VmxParseException.class, () -> EventFormat.parse("name: x\nID: seven\n"));
        assertEquals("event ID is not a number at line 2, column 4 of 'ID: seven'", id.getMessage());
        VmxParseException missing = assertThrows(VmxParseException.class,
                () -> EventFormat.parse("\tfield:u32 a;\toffset:8;\n"));
        assertEquals("field line needs declaration, offset, size and signed at line 1, column 1 of '\tfield:u32 a;\toffset:8;'",
                missing.getMessage());
    }
}
