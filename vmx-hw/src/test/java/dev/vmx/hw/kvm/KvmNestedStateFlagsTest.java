package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The KVM_GET_NESTED_STATE flags and header fields against asm/kvm.h (uapi-kvm-nested-state.txt). */
class KvmNestedStateFlagsTest {

    private static List<String> excerpt() throws IOException {
        try (InputStream in = KvmNestedStateFlagsTest.class.getResourceAsStream("uapi-kvm-nested-state.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("# Origin")).toList();
        }
    }

    private static Map<String, Integer> defines() throws IOException {
        Map<String, Integer> values = new HashMap<>();
        Pattern define = Pattern.compile("#define (\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)");
        for (String line : excerpt()) {
            Matcher m = define.matcher(line);
            if (m.matches()) {
                values.put(m.group(1), Integer.decode(m.group(2)));
            }
        }
        return values;
    }

    @Test
    void theExcerptIsWhatTheInstalledHeaderSays() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/kvm.h");
        if (!Files.exists(header)) {
            System.out.println("SKIPPED: no " + header + " (package linux-libc-dev) to compare the excerpt with");
            return;
        }
        String installed = Files.readString(header).replaceAll("[ \\t]+", " ");
        for (String line : excerpt()) {
            if (line.startsWith("#define")) {
                assertTrue(installed.contains(line.replaceAll("[ \\t]+", " ")), line);
            }
        }
    }

    @Test
    void flagsAgainstTheHeader() throws IOException {
        Map<String, Integer> defines = defines();
        for (KvmNestedStateFlag flag : KvmNestedStateFlag.values()) {
            assertEquals(defines.get("KVM_STATE_NESTED_" + flag.name()), flag.mask(), flag.name());
        }
        for (KvmNestedSmmFlag flag : KvmNestedSmmFlag.values()) {
            assertEquals(defines.get("KVM_STATE_NESTED_SMM_" + flag.name()), flag.mask(), flag.name());
        }
        assertEquals(defines.get("KVM_STATE_VMX_PREEMPTION_TIMER_DEADLINE"), KvmNestedState.VMX_PREEMPTION_TIMER_DEADLINE);
        assertEquals(defines.get("KVM_STATE_NESTED_FORMAT_VMX"), KvmUapi.KVM_STATE_NESTED_FORMAT_VMX);
        // every KVM_STATE_NESTED_ flag of the header is typed (the sizes and formats are no flags)
        long typed = defines.keySet().stream().filter(name -> name.startsWith("KVM_STATE_NESTED_") && !name.contains("FORMAT")
                && !name.contains("SIZE")).count();
        assertEquals(KvmNestedStateFlag.values().length + KvmNestedSmmFlag.values().length, typed);
    }

    @Test
    void headerOffsetsFollowTheStructLayout() throws IOException {
        // struct kvm_vmx_nested_state_hdr: each member at the next offset of its own size (natural alignment)
        Map<String, Integer> offsets = new HashMap<>();
        int offset = KvmUapi.KVM_NESTED_STATE_HDR;
        Pattern member = Pattern.compile("\\s*__u(\\d+) (\\w+);");
        for (String line : excerpt()) {
            Matcher m = member.matcher(line);
            if (m.matches()) {
                int size = Integer.parseInt(m.group(1)) / 8;
                offset = (offset + size - 1) / size * size;
                offsets.merge(m.group(2), offset, (a, b) -> a); // "flags" of smm comes first
                offset += size;
            }
        }
        assertEquals(KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMXON_PA, offsets.get("vmxon_pa"));
        assertEquals(KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMCS12_PA, offsets.get("vmcs12_pa"));
        assertEquals(KvmNestedState.HDR_VMX_SMM_FLAGS, offsets.get("flags"));
        assertEquals(KvmNestedState.HDR_VMX_FLAGS, offsets.get("pad") + 2);
        assertEquals(KvmNestedState.HDR_VMX_PREEMPTION_TIMER_DEADLINE, offsets.get("preemption_timer_deadline"));
    }

    @Test
    void parsedFromAHeader() {
        ByteBuffer state = ByteBuffer.allocate(KvmUapi.SIZEOF_KVM_NESTED_STATE).order(ByteOrder.LITTLE_ENDIAN);
        state.putShort(KvmUapi.KVM_NESTED_STATE_FLAGS, (short) 0x20b); // guest mode, run pending, MTF, and bit 9
        state.putShort(KvmUapi.KVM_NESTED_STATE_FORMAT, (short) KvmUapi.KVM_STATE_NESTED_FORMAT_VMX);
        state.putInt(KvmUapi.KVM_NESTED_STATE_SIZE, KvmUapi.SIZEOF_KVM_NESTED_STATE);
        state.putLong(KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMXON_PA, 0x1000);
        state.putLong(KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMCS12_PA, -1L);
        state.putShort(KvmNestedState.HDR_VMX_SMM_FLAGS, (short) 2);
        state.putInt(KvmNestedState.HDR_VMX_FLAGS, 1);
        state.putLong(KvmNestedState.HDR_VMX_PREEMPTION_TIMER_DEADLINE, 0x123456789L);
        KvmNestedState parsed = KvmNestedState.parse(state.array());
        assertEquals(EnumSet.of(KvmNestedStateFlag.GUEST_MODE, KvmNestedStateFlag.RUN_PENDING, KvmNestedStateFlag.MTF_PENDING),
                parsed.flagSet());
        assertEquals(0x200, parsed.unknownFlags()); // kept, not dropped
        assertTrue(parsed.isGuestMode());
        assertEquals(Set.of(KvmNestedSmmFlag.VMXON), parsed.smmFlagSet());
        assertEquals(OptionalLong.of(0x123456789L), parsed.preemptionTimerDeadlineIfSet());
        state.putInt(KvmNestedState.HDR_VMX_FLAGS, 0);
        assertEquals(OptionalLong.empty(), KvmNestedState.parse(state.array()).preemptionTimerDeadlineIfSet());
    }
}
