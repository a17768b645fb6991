package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.hw.NativeUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class KvmSystemTest {
    /** KVM_CAP_USER_MEMORY, present on every KVM since 2.6.x (linux/kvm.h: 3). */
    private static final int KVM_CAP_USER_MEMORY = 3;
    /** An unassigned capability number: KVM answers 0, never an error. */
    private static final int UNASSIGNED_CAPABILITY = 0x7fff_0000;

    @Test
    @Tag("kvm")
    void realDeviceReportsTheStableApiVersion() {
        GuestRunnerTest.assumeKvm();
        try (KvmSystem kvm = KvmSystem.open()) {
            assertEquals(KvmSystem.STABLE_API_VERSION, kvm.apiVersion());
            assertTrue(kvm.checkExtension(KVM_CAP_USER_MEMORY) > 0, "KVM_CAP_USER_MEMORY");
            assertEquals(0, kvm.checkExtension(UNASSIGNED_CAPABILITY));
        }
    }

    @Test
    void aMissingDeviceSaysWhich() {
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class,
                () -> KvmSystem.open("/nonexistent/kvm"));
        assertEquals("/nonexistent/kvm", error.path());
        assertEquals(2, error.errno());
        assertEquals("open on /nonexistent/kvm failed: No such file or directory (errno 2); no KVM device: the kvm module "
                + "is not loaded or the host has no hardware virtualization", error.getMessage());
    }

    /** A write-only sysfs file refuses a read-write open with EACCES even to root: the permission path. */
    @Test
    void aDeviceWithoutPermissionSaysSo() {
        Path writeOnly = Path.of("/sys/bus/pci/rescan");
        if (!Files.exists(writeOnly)) {
            System.out.println("SKIPPED: no " + writeOnly + " (a write-only sysfs file) on this machine");
        }
        assumeTrue(Files.exists(writeOnly), "no " + writeOnly);
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class, () -> KvmSystem.open(writeOnly.toString()));
        assertEquals(13, error.errno());
        assertEquals("open on /sys/bus/pci/rescan failed: Permission denied (errno 13); permission denied: run as root "
                + "or add the user to the group owning /sys/bus/pci/rescan", error.getMessage());
    }

    @Test
    void aDeviceThatIsNotKvmFailsTheIoctlWithAReason() {
        try (KvmSystem notKvm = KvmSystem.open("/dev/null")) {
            NativeUnavailableException error = assertThrows(NativeUnavailableException.class, notKvm::apiVersion);
            assertTrue(error.getMessage().startsWith("KVM_GET_API_VERSION on /dev/null failed"), error.getMessage());
            assertEquals(25, error.errno(), "ENOTTY: " + error.getMessage());
        }
    }

    @Test
    void aClosedHandleRefusesQueries() {
        KvmSystem handle = KvmSystem.open("/dev/null");
        handle.close();
        IllegalStateException error = assertThrows(IllegalStateException.class, handle::apiVersion);
        assertEquals("/dev/null is closed", error.getMessage());
    }
}
