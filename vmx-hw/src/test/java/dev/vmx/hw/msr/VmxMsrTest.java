package dev.vmx.hw.msr;

import dev.vmx.cap.VmxMsr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.SourceTable;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.CpuInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmxMsrTest {
    @Test
    void everyIndexIsLinuxs() {
        Map<String, Long> table = new TreeMap<>();
        for (String[] row : SourceTable.rows(VmxMsrTest.class, "msr-index-vmx.txt", true)) {
            table.put(row[0], SourceTable.cInteger(row[1]));
        }
        // the one definition of these MSRs is dev.vmx.cap.VmxMsr; Linux names them MSR_<constant>
        for (VmxMsr msr : VmxMsr.values()) {
            assertEquals(table.get("MSR_" + msr.name()), Long.valueOf(msr.index()), msr.name());
            assertEquals(msr, VmxMsr.ofIndex(msr.index()).orElseThrow());
        }
        long msrRows = table.keySet().stream().filter(name -> name.matches("MSR_IA32_VMX_[A-Z0-9_]+")
                && table.get(name) >= 0x480).count();
        assertEquals(msrRows, VmxMsr.values().length, "every IA32_VMX_* MSR in the table has a constant");
        assertTrue(VmxMsr.ofIndex(0x494).isEmpty());
    }

    @Test
    void rawValuesBecomeCapabilitiesWithTheSameIndexes() {
        VmxMsrValues empty = new VmxMsrValues("test", Map.of());
        assertThrows(java.util.NoSuchElementException.class, empty::toCapabilities);
        // a real dump (vmx-api's Core i7-5600U resource, origin in its header) as a backend delivers it
        Map<Integer, Long> dump = dev.vmx.cap.SampleCapabilities.coreI7_5600uMsrs();
        Map<VmxMsr, Long> byMsr = new java.util.EnumMap<>(VmxMsr.class);
        dump.forEach((index, value) -> byMsr.put(VmxMsr.ofIndex(index).orElseThrow(), value));
        VmxMsrValues values = new VmxMsrValues("dump", byMsr);
        dev.vmx.cap.VmxCapabilities capabilities = values.toCapabilities();
        for (Map.Entry<VmxMsr, Long> msr : byMsr.entrySet()) {
            assertEquals(OptionalLong.of(msr.getValue()), capabilities.msr(msr.getKey()), msr.getKey().name());
            assertEquals(OptionalLong.of(msr.getValue()), values.value(msr.getKey()));
        }
        assertEquals(dev.vmx.cap.SampleCapabilities.coreI7_5600u().basic(), capabilities.basic());
        byMsr.clear();
        assertEquals(dump.size(), values.values().size(), "the record kept its own copy");
    }

    @Test
    void theMsrDeviceIsAbsentHereWithTheModuleNamed() {
        assumeTrue(!Files.isDirectory(Path.of("/sys/module/msr")), "the msr module is loaded on this machine");
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class, () -> MsrDevice.open(0));
        assertEquals("no /dev/cpu/0/msr: the msr module is not loaded (modprobe msr, as root)", error.getMessage());
        assertEquals("/dev/cpu/0/msr", error.path());
    }

    /**
     * pread at offset = MSR index, exercised on a sparse file laid out like the device. A file
     * holds bytes, not registers, so only MSRs 8 or more indexes apart keep their own values.
     */
    @Test
    void readsAtTheMsrIndexOffsets(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("msr");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (VmxMsr msr : new VmxMsr[] {VmxMsr.IA32_VMX_BASIC, VmxMsr.IA32_VMX_EXIT_CTLS2}) {
                ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0xda0400000000L + msr.index());
                channel.write(value, msr.index());
            }
        }
        try (MsrDevice device = MsrDevice.at(file)) {
            assertEquals(0xda0400000000L + 0x480, device.read(0x480));
            VmxMsrValues values = device.vmxMsrsUnchecked();
            assertEquals(OptionalLong.of(0xda0400000000L + 0x493), values.value(VmxMsr.IA32_VMX_EXIT_CTLS2));
            assertEquals(OptionalLong.of(0xda0400000000L + 0x480), values.value(VmxMsr.IA32_VMX_BASIC));
            assertEquals("pread of " + file, values.source());
            NativeUnavailableException past = assertThrows(NativeUnavailableException.class, () -> device.read(0x10000));
            assertEquals("RDMSR 0x10000 through " + file + " returned 0 bytes, not 8", past.getMessage());
        }
    }

    /**
     * A write-only sysfs attribute refuses a read-only open with EACCES even to root (kernfs
     * opens need a show method): the permission path of the MSR device, for real.
     */
    @Test
    void aDeviceThatRefusesReadingSaysPermissionDenied() {
        Path writeOnly = Path.of("/sys/bus/pci/rescan");
        if (!Files.exists(writeOnly)) {
            System.out.println("SKIPPED: no " + writeOnly + " (a write-only sysfs file) on this machine");
        }
        assumeTrue(Files.exists(writeOnly), "no " + writeOnly);
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class, () -> MsrDevice.at(writeOnly));
        assertEquals(13, error.errno());
        assertEquals("open of /sys/bus/pci/rescan failed (errno 13): permission denied: reading MSRs needs root with CAP_SYS_RAWIO",
                error.getMessage());
        assertEquals(writeOnly.toString(), error.path());
    }

    /**
     * Only EIO means "this CPU has no such MSR" (msr.c); any other failure is reported, not
     * skipped: here a file that holds IA32_VMX_BASIC and ends 7 bytes into the next MSR.
     */
    @Test
    void aReadFailureOtherThanEioIsNotTakenForAnAbsentMsr(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("msr");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0xda0400000001L), 0x480);
        }
        try (MsrDevice device = MsrDevice.at(file)) {
            NativeUnavailableException error = assertThrows(NativeUnavailableException.class, device::vmxMsrsUnchecked);
            assertEquals("RDMSR 0x481 through " + file + " returned 7 bytes, not 8", error.getMessage());
        }
    }

    @Test
    void aCpuWithoutVmxIsNamed() {
        CpuInfo amd = CpuInfo.parse("vendor_id\t: AuthenticAMD\nflags\t\t: fpu svm sse2\n", Path.of("/nonexistent"));
        assertEquals("host CPU is AuthenticAMD without VMX ('vmx' is not in /proc/cpuinfo flags)", amd.noVmxReason().orElseThrow());
        CpuInfo intel = CpuInfo.parse("vendor_id\t: GenuineIntel\nflags\t\t: fpu vmx ept\n", Path.of("/nonexistent"));
        assertTrue(intel.noVmxReason().isEmpty());
    }

    @Test
    void thisHostsMsrsAreRefusedWithTheReasonWhereItHasNoVmx() throws IOException {
        CpuInfo host = CpuInfo.host();
        assumeTrue(host.noVmxReason().isPresent(), "this host has VMX");
        Path file = Files.createTempFile("msr", "");
        try (MsrDevice device = MsrDevice.at(file)) {
            NativeUnavailableException error = assertThrows(NativeUnavailableException.class, device::vmxMsrs);
            assertEquals(host.noVmxReason().get() + ": it has no IA32_VMX_* MSRs to read through " + file, error.getMessage());
        } finally {
            Files.delete(file);
        }
    }
}
