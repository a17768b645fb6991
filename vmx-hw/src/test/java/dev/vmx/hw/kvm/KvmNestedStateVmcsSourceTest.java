package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.vmcs.FieldWidth;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsSource;
import dev.vmx.vmcs.VmcsSources;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** vmcs12 keyed by VmcsField, and the ServiceLoader-registered KVM nested-state source. */
class KvmNestedStateVmcsSourceTest {
    private static final String NO_NESTED_STATE = "KVM_CAP_NESTED_STATE is 0 on this host: KVM keeps no nested (L1 hypervisor) "
            + "state to read, so there is no vmcs12; it needs an Intel host with kvm_intel nested=1";

    @Test
    void everyVmcs12FieldIsACatalogFieldOfTheSameWidth() {
        for (Vmcs12Field field : Vmcs12Layout.fields()) {
            VmcsField catalog = VmcsField.fromName(field.linuxName()).orElseThrow(() -> new AssertionError(field.linuxName()));
            assertEquals(field.encoding(), catalog.encoding(), field.linuxName());
            int bytes = catalog.isHighHalf() ? 4 : catalog.width() == FieldWidth.BITS_16 ? 2 : catalog.width() == FieldWidth.BITS_32 ? 4 : 8;
            assertEquals(bytes, field.size(), field.linuxName());
        }
    }

    @Test
    void aSnapshotRoundTripsThroughTheKernelLayout() {
        VmcsSnapshot original = VmcsSnapshot.builder()
                .put(VmcsField.GUEST_RIP, 0xffffffff81234567L) // natural width
                .put(VmcsField.EPT_POINTER, 0x1_2345_605eL) // 64-bit, above 4 GiB
                .put(VmcsField.VM_EXIT_REASON, 0x8000_0021L) // 32-bit
                .put(VmcsField.GUEST_CS_SELECTOR, 0x10) // 16-bit
                .put(VmcsField.EXIT_QUALIFICATION, 0x181)
                .build();
        VmcsSnapshot decoded = Vmcs12Layout.decode(Vmcs12Layout.encode(original)).toSnapshot();
        for (VmcsField field : original.fields()) {
            assertEquals(original.find(field), decoded.find(field), field.name());
        }
        // a real image holds every vmcs12 field: the ones not written read back as 0, and nothing else is there
        long fullFields = Vmcs12Layout.fields().stream().filter(f -> !f.linuxName().endsWith("_HIGH")).count();
        assertEquals(fullFields, decoded.fields().size());
        assertEquals(0, decoded.read(VmcsField.GUEST_RSP));
        assertTrue(decoded.find(VmcsField.TERTIARY_VM_EXEC_CONTROL).isEmpty()); // not in Linux 6.1's struct vmcs12
        assertEquals(0x1L, decoded.read(VmcsField.EPT_POINTER_HIGH));
    }

    @Test
    void aFieldVmcs12CannotHoldIsRefusedByName() {
        VmcsSnapshot tertiary = VmcsSnapshot.builder().put(VmcsField.TERTIARY_VM_EXEC_CONTROL, 1).build();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Vmcs12Layout.encode(tertiary));
        assertEquals("struct vmcs12 (revision 0x11e57ed0) has no room for TERTIARY_VM_EXEC_CONTROL (encoding 0x2034)",
                error.getMessage());
    }

    @Test
    void serviceLoaderFindsTheKvmSourceBesideTheEmbeddedOne() {
        List<String> names = VmcsSources.all().stream().map(VmcsSource::name).collect(Collectors.toList());
        assertTrue(names.contains("memory"), names.toString());
        assertTrue(names.contains(KvmNestedStateVmcsSource.NAME), names.toString());
        VmcsSource kvm = VmcsSources.find(KvmNestedStateVmcsSource.NAME).orElseThrow();
        String reason = kvm.unavailableReason().orElseThrow();
        System.out.println("kvm-nested on this machine: " + reason);
        IllegalStateException error = assertThrows(IllegalStateException.class, kvm::read);
        assertEquals("kvm-nested is unavailable: " + reason, error.getMessage());
    }

    @Test
    @Tag("kvm")
    void withAVcpuTheSourceSaysExactlyWhyThisHostHasNoNestedState() {
        GuestRunnerTest.assumeKvm();
        try (KvmSystem kvm = KvmSystem.open(); KvmVm vm = kvm.createVm()) {
            assumeTrue(kvm.checkExtension(KvmUapi.KVM_CAP_NESTED_STATE) == 0,
                    "this host has KVM_CAP_NESTED_STATE; the unavailable path does not apply");
            assertEquals(NO_NESTED_STATE, new KvmNestedStateVmcsSource().unavailableReason().orElseThrow());
            KvmNestedStateVmcsSource source = KvmNestedStateVmcsSource.of(kvm, vm.createVcpu(0));
            assertEquals(NO_NESTED_STATE, source.unavailableReason().orElseThrow());
            assertEquals("kvm-nested is unavailable: " + NO_NESTED_STATE,
                    assertThrows(IllegalStateException.class, source::read).getMessage());
        }
    }
}
