package dev.vmx.qual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.event.InstructionInfo;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every decoder is total: all-zeros, all-ones, each single bit and a large random sample decode,
 * and every public accessor and {@code toString()} of the result answers without an exception.
 */
class TotalityTest {
    private static final long SEED = 0x5eed_0f_7ae1L;

    static long[] inputs(int randomCount) {
        List<Long> values = new ArrayList<>();
        values.add(0L);
        values.add(-1L);
        values.add(0xffff_ffffL);
        for (int bit = 0; bit < 64; bit++) {
            values.add(1L << bit);
            values.add(~(1L << bit));
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < randomCount; i++) {
            values.add(random.nextLong());
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Calls every public no-argument instance method; returns how many were called. */
    static int exercise(Object value) throws ReflectiveOperationException {
        int calls = 0;
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
                    && method.getDeclaringClass() != Object.class) {
                try {
                    method.invoke(value);
                } catch (InvocationTargetException e) {
                    throw new AssertionError(method + " threw for " + value.getClass().getSimpleName() + " raw "
                            + rawOf(value), e.getCause());
                }
                calls++;
            }
        }
        assertTrue(value.toString().length() > 0);
        assertEquals(value, value);
        value.hashCode();
        return calls;
    }

    private static String rawOf(Object value) {
        try {
            return Long.toHexString(((Number) value.getClass().getMethod("raw").invoke(value)).longValue());
        } catch (ReflectiveOperationException e) {
            return "?";
        }
    }

    /** Calls every public static method of a class that takes one long or one int. */
    static void exerciseStatics(Class<?> type, long input) throws ReflectiveOperationException {
        for (Method method : type.getMethods()) {
            if (!Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 1) {
                continue;
            }
            Class<?> parameter = method.getParameterTypes()[0];
            try {
                if (parameter == long.class) {
                    method.invoke(null, input);
                } else if (parameter == int.class) {
                    method.invoke(null, (int) input);
                }
            } catch (InvocationTargetException e) {
                throw new AssertionError(method + " threw for 0x" + Long.toHexString(input), e.getCause());
            }
        }
    }

    @Test
    void everyQualificationFormatForEveryReason() throws ReflectiveOperationException {
        long[] values = inputs(2_000);
        int calls = 0;
        for (BasicExitReason basic : BasicExitReason.values()) {
            ExitReason reason = ExitReason.of(basic == BasicExitReason.UNRECOGNIZED ? 0x7fff : basic.number());
            for (long value : values) {
                ExitQualification decoded = ExitQualification.decode(reason, value);
                assertEquals(value, decoded.raw());
                calls += exercise(decoded);
                if (decoded instanceof ExceptionQualification) {
                    exercise(((ExceptionQualification) decoded).asDebugException());
                    exercise(((ExceptionQualification) decoded).asPageFaultAddress());
                    exercise(((ExceptionQualification) decoded).interpret(InterruptionInfo.of((int) value)));
                }
            }
        }
        assertTrue(calls > 100_000, calls + " accessor calls");
    }

    @Test
    void hotFormatsOverALargeSample() throws ReflectiveOperationException {
        for (long value : inputs(50_000)) {
            exercise(EptViolationQualification.of(value));
            exercise(CrAccessQualification.of(value));
            exercise(IoInstructionQualification.of(value));
            exerciseStatics(EptViolationQualification.class, value);
            exerciseStatics(CrAccessQualification.class, value);
            exerciseStatics(IoInstructionQualification.class, value);
        }
    }

    @Test
    void eventDecoders() throws ReflectiveOperationException {
        long[] values = inputs(20_000);
        for (long value : values) {
            InterruptionInfo info = InterruptionInfo.of((int) value);
            exercise(info);
            exerciseStatics(InterruptionInfo.class, value);
            for (dev.vmx.event.InterruptionField field : dev.vmx.event.InterruptionField.values()) {
                assertTrue(info.describe(field).endsWith(String.format("(0x%08x)", (int) value)));
                assertEquals((int) value & field.reservedMask(), info.reservedBits(field));
            }
            VmInstructionError.fromNumber(value);
            VmInstructionError.describe(value);
        }
        for (BasicExitReason basic : BasicExitReason.values()) {
            for (int i = 0; i < values.length; i += 7) {
                InstructionInfo info = InstructionInfo.of(basic, (int) values[i]);
                exercise(info);
                info.memoryOperand(values[(i + 1) % values.length]);
                info.memoryOperand(Long.MIN_VALUE);
                long register = values[(i + 2) % values.length];
                assertEquals(info.hasMemoryOperand() && info.addressSize().isPresent(),
                        info.effectiveAddress(values[(i + 1) % values.length], r -> register).isPresent());
                info.linearAddress(Long.MIN_VALUE, r -> register, -1L, (i & 1) == 0);
            }
        }
    }
}
