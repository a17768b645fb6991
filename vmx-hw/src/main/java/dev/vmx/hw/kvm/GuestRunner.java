package dev.vmx.hw.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import dev.vmx.hw.internal.LibC;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a few bytes of 16-bit real-mode code in a fresh KVM VM with one vCPU: the smallest guest
 * that exercises real VM entries and exits, for tutorials and tests.
 *
 * <p>The guest gets {@value #MEMORY_SIZE} bytes of RAM at guest-physical 0; the code is loaded at
 * {@value #LOAD_ADDRESS} and starts there with every segment at 0. I/O port accesses are
 * answered (IN reads 0), MMIO to unbacked addresses is recorded and continued (reads return 0), and the run stops
 * at the first exit the runner cannot continue from (HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR,
 * any other), after {@code maxExits} exits, or after a time limit (a guest looping without any
 * exit would otherwise keep {@code KVM_RUN} busy forever): a watchdog interrupts the vCPU thread
 * with a signal HotSpot ignores ({@code SIGPIPE}), so {@code KVM_RUN} returns with
 * {@code KVM_EXIT_INTR}. A broken guest cannot hang the caller.
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

    /** The time limit of {@link #runRealMode(KvmSystem, byte[], int)}. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(10);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "vmx-guest-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private GuestRunner() {
    }

    /**
     * Runs real-mode code with the {@link #DEFAULT_TIME_LIMIT}.
     *
     * @param kvm an open KVM system handle
     * @param code the machine code, at most {@code MEMORY_SIZE - LOAD_ADDRESS} bytes
     * @param maxExits the exit limit, at least 1
     * @return the exits and why the run stopped
     * @throws dev.vmx.hw.NativeUnavailableException if KVM refuses to create or run the guest
     */
    public static GuestRun runRealMode(KvmSystem kvm, byte[] code, int maxExits) {
        return runRealMode(kvm, code, maxExits, DEFAULT_TIME_LIMIT);
    }

    /**
     * Runs real-mode code until it stops, {@code maxExits} exits happened, or the time limit passed.
     *
     * @param kvm an open KVM system handle
     * @param code the machine code, at most {@code MEMORY_SIZE - LOAD_ADDRESS} bytes
     * @param maxExits the exit limit, at least 1
     * @param timeLimit how long the guest may run in all
     * @return the exits and why the run stopped
     * @throws dev.vmx.hw.NativeUnavailableException if KVM refuses to create or run the guest
     */
    public static GuestRun runRealMode(KvmSystem kvm, byte[] code, int maxExits, Duration timeLimit) {
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
            AtomicBoolean expired = new AtomicBoolean();
            AtomicBoolean finished = new AtomicBoolean();
            int process = LibC.INSTANCE.getpid();
            int thread = LibC.INSTANCE.gettid();
            // after the limit, signal the vCPU thread every 10 ms until the loop notices: one signal
            // could land just before KVM_RUN and be missed
            ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
                if (!finished.get()) {
                    expired.set(true);
                    try {
                        LibC.INSTANCE.tgkill(process, thread, LibC.SIGPIPE);
                    } catch (LastErrorException e) {
                        // the thread is gone; nothing to interrupt
                    }
                }
            }, timeLimit.toNanos(), TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.NANOSECONDS);
            try {
                while (exits.size() < maxExits) {
                    KvmExit exit = vcpu.run();
                    if (exit instanceof KvmExit.Io io && !io.isOut()) {
                        // IN reads 0: answer explicitly, the data area may still hold an earlier OUT's bytes
                        byte[] zeros = new byte[io.size() * io.count()];
                        vcpu.answerIn(io, zeros);
                        exit = new KvmExit.Io(false, io.port(), io.size(), io.count(), zeros);
                    }
                    if (exit instanceof KvmExit.Mmio mmio && !mmio.isWrite()) {
                        // unbacked memory reads 0
                        byte[] zeros = new byte[mmio.data().length];
                        vcpu.answerMmioRead(mmio, zeros);
                        exit = new KvmExit.Mmio(mmio.physicalAddress(), false, zeros);
                    }
                    exits.add(exit);
                    if (exit.type() == KvmExitType.INTR && expired.get()) {
                        return new GuestRun(exits, false, true);
                    }
                    if (!(exit instanceof KvmExit.Io) && !(exit instanceof KvmExit.Mmio) && exit.type() != KvmExitType.INTR) {
                        return new GuestRun(exits, false, false);
                    }
                }
                return new GuestRun(exits, true, false);
            } finally {
                finished.set(true);
                watchdog.cancel(false);
            }
        }
    }
}
