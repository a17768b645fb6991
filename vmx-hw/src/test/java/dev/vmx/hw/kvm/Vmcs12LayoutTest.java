package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vmcs12 layout against vmcs12.h (CHECK_OFFSET, member types) and vmcs12.c (field list). */
class Vmcs12LayoutTest {
    private static Map<String, String> table(String name, int key, int value) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String[] row : SourceTable.rows(Vmcs12LayoutTest.class, name, true)) {
            rows.put(row[key], row[value]);
        }
        return rows;
    }

    private static final Map<String, String> OFFSETS = table("vmcs12-check-offset.txt", 0, 1);
    private static final Map<String, String> TYPES = table("vmcs12-members.txt", 0, 1);
    private static final Map<String, String> ENCODINGS = table("vmx-h-vmcs-fields.txt", 0, 1);

    private static int encoding(String name) {
        String encoding = ENCODINGS.get(name);
        if (encoding == null) {
            throw new AssertionError(name + " is not in vmx.h enum vmcs_field");
        }
        return (int) SourceTable.cInteger(encoding);
    }

    @Test
    void constantsAreTheKernels() {
        Map<String, String> constants = table("vmcs12-constants.txt", 0, 1);
        assertEquals(SourceTable.cInteger(constants.get("VMCS12_REVISION")), Vmcs12Layout.REVISION);
        assertEquals(SourceTable.cInteger(constants.get("KVM_STATE_NESTED_VMX_VMCS_SIZE")), Vmcs12Layout.SIZE);
        assertEquals(Long.parseLong(OFFSETS.get("abort")), Vmcs12Layout.ABORT_OFFSET);
        assertEquals(Long.parseLong(OFFSETS.get("launch_state")), Vmcs12Layout.LAUNCH_STATE_OFFSET);
        assertTrue(Vmcs12Layout.usedSize() <= Vmcs12Layout.SIZE);
    }

    @Test
    void everyFieldOfVmcs12cIsAtItsCheckedOffsetWithItsTypesSize() {
        List<String[]> fields = SourceTable.rows(Vmcs12LayoutTest.class, "vmcs12-fields.txt", true);
        int expectedCount = 0;
        for (String[] row : fields) {
            String kind = row[0];
            String name = row[1];
            String member = row[2];
            int offset = Integer.parseInt(OFFSETS.get(member));
            int size = switch (TYPES.get(member)) {
                case "u16" -> 2;
                case "u32" -> 4;
                case "u64", "natural_width" -> 8;
                default -> throw new AssertionError(TYPES.get(member));
            };
            assertEquals(new Vmcs12Field(name, encoding(name), member, offset, size), Vmcs12Layout.field(name).orElseThrow(() ->
                    new AssertionError(name + " missing")));
            assertEquals(name, Vmcs12Layout.fieldByEncoding(encoding(name)).orElseThrow().linuxName());
            expectedCount++;
            if (kind.equals("FIELD64")) {
                assertEquals(new Vmcs12Field(name + "_HIGH", encoding(name + "_HIGH"), member, offset + 4, 4),
                        Vmcs12Layout.field(name + "_HIGH").orElseThrow());
                assertEquals(encoding(name) + 1, encoding(name + "_HIGH"), "SDM B: the high half is the encoding with access type 1");
                expectedCount++;
            }
        }
        assertEquals(expectedCount, Vmcs12Layout.fields().size(), "no field beyond vmcs12.c's list");
    }

    @Test
    void encodeThenDecodeGivesBackEveryValue() {
        Map<String, Long> values = new HashMap<>();
        long seed = 0x0123456789abcdefL;
        for (Vmcs12Field field : Vmcs12Layout.fields()) {
            if (field.linuxName().endsWith("_HIGH")) {
                continue;
            }
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            long value = field.size() == 8 ? seed : seed >>> (64 - 8 * field.size());
            values.put(field.linuxName(), value);
        }
        byte[] image = Vmcs12Layout.encode(values);
        assertEquals(Vmcs12Layout.SIZE, image.length);
        Vmcs12Image decoded = Vmcs12Layout.decode(image);
        for (Map.Entry<String, Long> value : values.entrySet()) {
            assertEquals(value.getValue(), decoded.values().get(value.getKey()), value.getKey());
            Vmcs12Layout.field(value.getKey() + "_HIGH").ifPresent(high ->
                    assertEquals(value.getValue() >>> 32, decoded.values().get(high.linuxName()), high.linuxName()));
        }
        assertFalse(decoded.shadow());
        assertEquals(0, decoded.launchState());
    }

    @Test
    void decodeReadsTheKernelsOffsetsNotJustItsOwn() {
        // GUEST_RIP at the CHECK_OFFSET of guest_rip, VM_EXIT_REASON at vm_exit_reason's, written by hand
        ByteBuffer image = ByteBuffer.allocate(Vmcs12Layout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(0, 0x11e57ed0 | 0x80000000);
        image.putInt(8, 1);
        image.putLong(Integer.parseInt(OFFSETS.get("guest_rip")), 0xfffff80001234567L);
        image.putInt(Integer.parseInt(OFFSETS.get("vm_exit_reason")), 0x80000021);
        Vmcs12Image decoded = Vmcs12Layout.decode(image.array());
        assertEquals(0xfffff80001234567L, decoded.value("GUEST_RIP").getAsLong());
        assertEquals(0x80000021L, decoded.value("VM_EXIT_REASON").getAsLong());
        assertTrue(decoded.shadow());
        assertEquals(1, decoded.launchState());
        assertTrue(decoded.value("NO_SUCH_FIELD").isEmpty());
    }

    @Test
    void badImagesAndValuesAreRefused() {
        assertEquals("vmcs12 revision 0x1 is not KVM's VMCS12_REVISION 0x11e57ed0",
                assertThrows(IllegalArgumentException.class, () -> {
                    byte[] image = new byte[Vmcs12Layout.SIZE];
                    image[0] = 1;
                    Vmcs12Layout.decode(image);
                }).getMessage());
        assertEquals("vmcs12 image of 100 bytes is shorter than the " + Vmcs12Layout.usedSize() + " bytes struct vmcs12 uses",
                assertThrows(IllegalArgumentException.class, () -> Vmcs12Layout.decode(new byte[100])).getMessage());
        assertEquals("vmcs12 image of 4097 bytes is longer than VMCS12_SIZE (4096 bytes): not one vmcs12",
                assertThrows(IllegalArgumentException.class, () -> {
                    byte[] image = java.util.Arrays.copyOf(Vmcs12Layout.encode(Map.of()), 4097);
                    Vmcs12Layout.decode(image);
                }).getMessage());
        // the last byte struct vmcs12 uses is still needed: one short is truncated
        assertEquals("vmcs12 image of " + (Vmcs12Layout.usedSize() - 1) + " bytes is shorter than the "
                        + Vmcs12Layout.usedSize() + " bytes struct vmcs12 uses",
                assertThrows(IllegalArgumentException.class, () -> Vmcs12Layout.decode(
                        java.util.Arrays.copyOf(Vmcs12Layout.encode(Map.of()), Vmcs12Layout.usedSize() - 1))).getMessage());
        assertEquals(0L, Vmcs12Layout.decode(java.util.Arrays.copyOf(Vmcs12Layout.encode(Map.of()), Vmcs12Layout.usedSize()))
                .value("HOST_RIP").getAsLong());
        // the revision is bits 30:0; bit 31 is the shadow indicator and does not make it wrong
        byte[] shadow = Vmcs12Layout.encode(Map.of());
        shadow[3] |= (byte) 0x80;
        assertTrue(Vmcs12Layout.decode(shadow).shadow());
        assertEquals("EPT_POINTER and EPT_POINTER_HIGH both given: they are the same bytes of struct vmcs12 (ept_pointer)",
                assertThrows(IllegalArgumentException.class, () -> Vmcs12Layout.encode(
                        new java.util.TreeMap<>(Map.of("EPT_POINTER", 1L, "EPT_POINTER_HIGH", 2L)))).getMessage());
        assertEquals(0x2_0000_0000L, Vmcs12Layout.decode(Vmcs12Layout.encode(Map.of("EPT_POINTER_HIGH", 2L)))
                .value("EPT_POINTER").getAsLong());
        assertEquals("struct vmcs12 holds no field named 'GUEST_SMBASE'",
                assertThrows(IllegalArgumentException.class, () -> Vmcs12Layout.encode(Map.of("GUEST_SMBASE", 1L))).getMessage());
        assertEquals("GUEST_CS_SELECTOR is 2 bytes wide; 0x10000 does not fit",
                assertThrows(IllegalArgumentException.class, () -> Vmcs12Layout.encode(Map.of("GUEST_CS_SELECTOR", 0x10000L))).getMessage());
    }

    @Test
    void nestedStateCarriesTheVmcs12AtTheUapiOffset() {
        Map<String, Long> uapi = KvmUapiTest.table();
        int vmcs12At = uapi.get("kvm_nested_state.data.vmx.vmcs12").intValue();
        ByteBuffer state = ByteBuffer.allocate(vmcs12At + 2 * Vmcs12Layout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        state.putShort(uapi.get("kvm_nested_state.format").intValue(), (short) 0);
        state.putInt(uapi.get("kvm_nested_state.size").intValue(), state.capacity());
        state.putLong(uapi.get("kvm_nested_state.hdr.vmx.vmxon_pa").intValue(), 0x10000);
        state.putLong(uapi.get("kvm_nested_state.hdr.vmx.vmcs12_pa").intValue(), 0x11000);
        state.put(vmcs12At, Vmcs12Layout.encode(Map.of("VM_EXIT_REASON", 48L, "EXIT_QUALIFICATION", 0x181L)));
        KvmNestedState parsed = KvmNestedState.parse(state.array());
        assertEquals(0x10000, parsed.vmxonAddress());
        assertEquals(0x11000, parsed.vmcs12Address());
        Vmcs12Image vmcs12 = parsed.decodedVmcs12().orElseThrow();
        assertEquals(48L, vmcs12.value("VM_EXIT_REASON").getAsLong());
        assertEquals(0x181L, vmcs12.value("EXIT_QUALIFICATION").getAsLong());

        byte[] headerOnly = new byte[128];
        ByteBuffer.wrap(headerOnly).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 128);
        assertTrue(KvmNestedState.parse(headerOnly).decodedVmcs12().isEmpty(), "no vmcs12 when L1 has none");
        assertEquals("kvm_nested_state of 12 bytes is shorter than its 128-byte header",
                assertThrows(IllegalArgumentException.class, () -> KvmNestedState.parse(new byte[12])).getMessage());
        // a VMX state with a partial vmcs12 is truncated, not "no vmcs12"
        ByteBuffer cut = ByteBuffer.allocate(vmcs12At + 100).order(ByteOrder.LITTLE_ENDIAN);
        cut.putInt(uapi.get("kvm_nested_state.size").intValue(), cut.capacity());
        assertEquals("kvm_nested_state (VMX) size 228 is not the header (128), header + vmcs12 (4224) or header + vmcs12 + "
                        + "shadow vmcs12 (8320): a truncated vmcs12",
                assertThrows(IllegalArgumentException.class, () -> KvmNestedState.parse(cut.array())).getMessage());
        // with a shadow vmcs12 the state is two pages; vmcs12 is the first
        ByteBuffer withShadow = ByteBuffer.allocate(uapi.get("kvm_nested_state.data.vmx.shadow_vmcs12").intValue()
                + Vmcs12Layout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        withShadow.putInt(uapi.get("kvm_nested_state.size").intValue(), withShadow.capacity());
        withShadow.put(vmcs12At, Vmcs12Layout.encode(Map.of("VM_EXIT_REASON", 12L)));
        KvmNestedState shadowed = KvmNestedState.parse(withShadow.array());
        assertEquals(12L, shadowed.decodedVmcs12().orElseThrow().value("VM_EXIT_REASON").getAsLong());
        // the record keeps its own copy
        shadowed.vmcs12().orElseThrow()[0] = 0;
        assertEquals(Vmcs12Layout.REVISION, ByteBuffer.wrap(shadowed.vmcs12().orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        ByteBuffer.wrap(headerOnly).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 9000);
        assertEquals("kvm_nested_state size 9000 does not lie between the header (128) and the 128 bytes given",
                assertThrows(IllegalArgumentException.class, () -> KvmNestedState.parse(headerOnly)).getMessage());
    }
}
