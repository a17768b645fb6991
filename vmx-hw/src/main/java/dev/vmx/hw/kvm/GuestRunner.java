package dev.vmx.hw.kvm;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a few bytes of 16-bit real-mode code in a fresh KVM VM with one vCPU: the smallest guest
 * that exercises real VM entries and exits, for tutorials and tests.
 *
 * <p>The guest gets {@value #MEMORY_SIZE} bytes of RAM at guest-physical 0; the code is loaded at
 * {@value #LOAD_ADDRESS} and starts there with every segment at 0. I/O port accesses are
 * answered (IN reads 0), MMIO to unbacked addresses is recorded and continued, and the run stops
 * at the first exit the runner cannot continue from (HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR,
 * any other) or after {@code maxExits} exits, so a broken guest cannot hang the caller.
 */
public final class GuestRunner {
    /** Guest RAM size in bytes. */
    public static final int MEMORY_SIZE = 0x10000;
    /** Guest-physical address (and IP) where the code is loaded. */
    public static final int LOAD_ADDRESS = 0x1000;

    /**
     * A guest that prints "Hi" on the first serial port and halts:
     * {@code mov dx,0x3f8; mov al,'H'; out dx,al; mov al,'i'; out dx,al; hlt}.
     */
    public static final byte[] HELLO_SERIAL = {
        (byte) 0xba, (byte) 0xf8, 0x03, // mov dx, 0x3f8
        (byte) 0xb0, 'H', // mov al, 'H'
        (byte) 0xee, // out dx, al
        (byte) 0xb0, 'i', // mov al, 'i'
        (byte) 0xee, // out dx, al
        (byte) 0xf4, // hlt
    };

    private GuestRunner() {
    }

    /**
     * Runs real-mode code until it stops or {@code maxExits} exits happened.
     *
     * @param kvm an open KVM system handle
     * @param code the machine code, at most {@code MEMORY_SIZE - LOAD_ADDRESS} bytes
     * @param maxExits the exit limit, at least 1
     * @return the exits and why the run stopped
     * @throws dev.vmx.hw.NativeUnavailableException if KVM refuses to create or run the guest
     */
    public static GuestRun runRealMode(KvmSystem kvm, byte[] code, int maxExits) {
        if (maxExits < 1) {
            throw new IllegalArgumentException("maxExits must be at least 1, was " + maxExits);
        }
        if (code.length > MEMORY_SIZE - LOAD_ADDRESS) {
            throw new IllegalArgumentException(code.length + " bytes of code do not fit the "
                    + (MEMORY_SIZE - LOAD_ADDRESS) + " bytes above the load address");
        }
        List<KvmExit> exits = new ArrayList<>();
        try (KvmVm vm = kvm.createVm()) {
            Pointer memory = vm.addMemory(0, MEMORY_SIZE);
            memory.write(LOAD_ADDRESS, code, 0, code.length);
            KvmVcpu vcpu = vm.createVcpu(0);
            vcpu.enterRealMode(LOAD_ADDRESS);
            while (exits.size() < maxExits) {
                KvmExit exit = vcpu.run();
                exits.add(exit);
                if (!(exit instanceof KvmExit.Io) && !(exit instanceof KvmExit.Mmio)) {
                    return new GuestRun(exits, false);
                }
            }
            return new GuestRun(exits, true);
        }
    }
}
