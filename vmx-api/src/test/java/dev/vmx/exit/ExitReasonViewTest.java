package dev.vmx.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flyweight answers exactly as the immutable ExitReason, for every value, and allocates nothing. */
class ExitReasonViewTest {
    private static void assertSame(ExitReasonView view, int raw) {
        ExitReason reason = ExitReason.of(raw);
        view.wrap(raw);
        String at = Integer.toHexString(raw);
        assertEquals(reason.raw(), view.raw(), at);
        assertEquals(reason.basicNumber(), view.basicNumber(), at);
        assertEquals(reason.basic(), view.basic(), at);
        assertEquals(reason.isVmEntryFailure(), view.isVmEntryFailure(), at);
        assertEquals(reason.isBusLockDetected(), view.isBusLockDetected(), at);
        assertEquals(reason.isEnclaveMode(), view.isEnclaveMode(), at);
        for (ExitReasonFlag flag : ExitReasonFlag.values()) {
            assertEquals(reason.has(flag), view.has(flag), at + " " + flag);
        }
        assertEquals(reason, view.toExitReason(), at);
        assertEquals(reason.toString(), view.toString(), at);
    }

    @Test
    void answersAsExitReasonForEveryBasicNumberAndFlagAndRandomValues() {
        ExitReasonView view = new ExitReasonView();
        for (int basic = 0; basic < 1 << 16; basic += 7) {
            for (int flags : new int[] {0, 1 << 26, 1 << 27, 1 << 31, 0xBC00_0000}) {
                assertSame(view, basic | flags);
            }
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            assertSame(view, random.nextInt());
        }
    }

    @Test
    void isComparesTheBasicReasonOnly() {
        ExitReasonView view = new ExitReasonView().wrap(0x8000_0029);
        assertTrue(view.is(BasicExitReason.MCE_DURING_VMENTRY));
        assertTrue(!view.is(BasicExitReason.INVALID_STATE));
        assertTrue(!new ExitReasonView().wrap(0xFFFF).is(BasicExitReason.UNRECOGNIZED)); // UNRECOGNIZED has no number
        for (BasicExitReason basic : BasicExitReason.values()) {
            if (basic != BasicExitReason.UNRECOGNIZED) {
                assertEquals(ExitReason.of(basic.number() | 1 << 31).is(basic), view.wrap(basic.number() | 1 << 31).is(basic));
            }
        }
    }

    @Test
    void wrappingAndReadingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ExitReasonView view = new ExitReasonView();
        long sum = 0;
        for (int raw = 0; raw < 200_000; raw++) { // warm up
            sum += view.wrap(raw).basicNumber() + (view.isVmEntryFailure() ? 1 : 0);
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int raw = 0; raw < 1_000_000; raw++) {
            sum += view.wrap(raw * 31).basicNumber() + (view.is(BasicExitReason.HLT) ? 1 : 0) + (view.isVmEntryFailure() ? 1 : 0);
        }
        long bytes = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(bytes < 1024, bytes + " bytes for 1,000,000 wraps (sum " + sum + ")");
    }
}
