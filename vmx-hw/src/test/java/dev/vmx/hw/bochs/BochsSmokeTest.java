package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.exit.BasicExitReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class BochsSmokeTest {
    @Test
    void cpuid() {
        BochsRunner r = BochsTesting.runner();
        var caps = r.capabilities();
        BochsCase c = BochsGuest.baseline(caps, "cpuid").pokeBytes(BochsGuest.CODE, new byte[] {0x0f, (byte) 0xa2, (byte) 0xf4}).maxExits(2).build();
        BochsBatchResult b = r.run(List.of(c));
        System.out.println(b.result(0));
        System.out.println(b.result(0).log());
        System.out.println(b.bootLog());
        System.out.println(b.trailingLog());
        assertEquals(BasicExitReason.CPUID, b.result(0).orThrow().exit(0).reason().basic());
    }
}
