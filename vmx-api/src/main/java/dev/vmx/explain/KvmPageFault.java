package dev.vmx.explain;

import dev.vmx.explain.Explanation.Detail;
import dev.vmx.explain.Explanation.Subject;
import dev.vmx.qual.EptViolationQualification;
import dev.vmx.trace.KvmEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code kvm_page_fault} tracepoint ({@code arch/x86/kvm/trace.h}; Linux 6.x prints
 * {@code vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx}, 5.x {@code address %lx error_code %llx}).
 * Its {@code error_code} means one of two things, and the line does not say which: VMX's
 * {@code handle_ept_violation} traces the guest-physical address with the EPT violation's exit
 * qualification, while SVM's {@code npf_interception} (EXITINFO1 of a nested page fault) and
 * {@code kvm_handle_page_fault} (an intercepted guest #PF under shadow paging) trace a page-fault
 * error code in KVM's {@code PFERR_*} bit layout. Both readings are given where both fit.
 */
final class KvmPageFault {
    /**
     * KVM's page-fault error-code bits: {@code PFERR_*_BIT} of {@code arch/x86/include/asm/kvm_host.h}
     * (torvalds/linux commit 004a0aa56edea3effc97bc90a620da1bcde5c63c); bits 0-5 and 15 are the
     * hardware #PF error code's, 32-33 AMD's NPF EXITINFO1 bits, 48 a flag KVM defines itself.
     * Index: bit number; value: the bit's name and what it says.
     */
    static final List<Bit> BITS = List.of(
            new Bit(0, "PRESENT", "the page was present (a protection fault, not a missing page)"),
            new Bit(1, "WRITE", "write"),
            new Bit(2, "USER", "user-mode access"),
            new Bit(3, "RSVD", "reserved bit set in a paging entry"),
            new Bit(4, "FETCH", "instruction fetch"),
            new Bit(5, "PK", "protection key"),
            new Bit(15, "SGX", "SGX access-control violation"),
            new Bit(32, "GUEST_FINAL", "fault on the final guest-physical address"),
            new Bit(33, "GUEST_PAGE", "fault on a guest page-table access"),
            new Bit(48, "IMPLICIT_ACCESS", "implicit supervisor access (KVM's own flag)"));

    private static final long KNOWN_PFERR;
    private static final long PAGE_MASK = 0x000F_FFFF_FFFF_F000L;
    /** The error code as printed (64 bits since Linux 5.x; the event's accessor keeps the low 32). */
    private static final Pattern ERROR_CODE = Pattern.compile("\\berror_code:?\\s+(?:0x)?([0-9a-fA-F]+)");

    static {
        long known = 0;
        for (Bit bit : BITS) {
            known |= 1L << bit.number();
        }
        KNOWN_PFERR = known;
    }

    /** One {@code PFERR_*} bit. */
    record Bit(int number, String name, String meaning) {
    }

    private KvmPageFault() {
    }

    /** The error code of the line, all 64 bits where the text has them. */
    static long errorCode(String line, KvmEvent event) {
        Matcher matcher = ERROR_CODE.matcher(line);
        if (matcher.find() && matcher.group(1).length() <= 16) {
            return Long.parseUnsignedLong(matcher.group(1), 16);
        }
        return event.errorCode() & 0xffff_ffffL;
    }

    /** Whether {@code code} can be an EPT violation's exit qualification: an access bit set, no reserved bit. */
    static boolean fitsEptQualification(long code) {
        return (code & EptViolationQualification.ACCESS_MASK) != 0 && (code & EptViolationQualification.RESERVED_MASK) == 0;
    }

    /** Whether {@code code} uses only bits KVM's {@code PFERR_*} defines. */
    static boolean fitsPageFaultErrorCode(long code) {
        return (code & ~KNOWN_PFERR) == 0;
    }

    /** The error code in words: the access, present or not, then the other set bits by name. */
    static String pageFaultErrorCode(long code) {
        List<String> parts = new ArrayList<>();
        parts.add((code & (1L << 1)) != 0 ? "write" : (code & (1L << 4)) != 0 ? "instruction fetch" : "read");
        parts.add((code & 1) != 0 ? "page present (a protection fault)" : "page not present");
        for (Bit bit : BITS) {
            if (bit.number() != 0 && bit.number() != 1 && bit.number() != 4 && (code & (1L << bit.number())) != 0) {
                parts.add(bit.name() + ": " + bit.meaning());
            }
        }
        long unknown = code & ~KNOWN_PFERR;
        if (unknown != 0) {
            parts.add(String.format(Locale.ROOT, "bits KVM does not define 0x%x", unknown));
        }
        return String.join(", ", parts);
    }

    static Explanation explain(String text, KvmEvent event, List<Detail> details) {
        long code = errorCode(text, event);
        long address = event.gpa();
        boolean ept = fitsEptQualification(code);
        boolean pferr = fitsPageFaultErrorCode(code);
        if (event.guestRip() != 0) {
            details.add(new Detail("guest_rip", String.format(Locale.ROOT, "0x%x", event.guestRip())));
        }
        details.add(new Detail("address", String.format(Locale.ROOT, "0x%x", address)));
        details.add(new Detail("page", String.format(Locale.ROOT, "0x%x", address & PAGE_MASK)));
        details.add(new Detail("error_code", String.format(Locale.ROOT, "0x%x", code)));
        String asEpt = EptViolationQualification.of(code).toString();
        String asPferr = pageFaultErrorCode(code) + String.format(Locale.ROOT, " (0x%x)", code);
        if (ept) {
            details.add(new Detail("ept_qualification", asEpt));
        }
        if (pferr) {
            details.add(new Detail("pferr", asPferr));
        }
        String where = (event.vcpu() >= 0 ? "vCPU " + event.vcpu() + ", " : "")
                + (event.guestRip() != 0 ? String.format(Locale.ROOT, "rip 0x%x, ", event.guestRip()) : "");
        String summary;
        List<String> next = new ArrayList<>();
        if (ept && !pferr) {
            summary = String.format(Locale.ROOT, "kvm_page_fault: EPT violation (VMX) at guest-physical address 0x%x "
                    + "(page 0x%x), %serror_code is the exit qualification: %s", address, address & PAGE_MASK, where, asEpt);
        } else if (pferr && !ept) {
            summary = String.format(Locale.ROOT, "kvm_page_fault: page fault at address 0x%x (page 0x%x), %serror_code "
                    + "in KVM's PFERR bits (an SVM nested page fault's EXITINFO1, or an intercepted guest #PF): %s",
                    address, address & PAGE_MASK, where, asPferr);
        } else if (ept) {
            summary = String.format(Locale.ROOT, "kvm_page_fault: fault at address 0x%x (page 0x%x), %serror_code 0x%x: "
                    + "on VMX the exit qualification of an EPT violation at that guest-physical address: %s; "
                    + "on SVM or shadow paging KVM's PFERR bits: %s", address, address & PAGE_MASK, where, code, asEpt,
                    pageFaultErrorCode(code));
            next.add("the host's vendor decides: kvm_intel traces EPT violations, kvm_amd nested page faults");
        } else {
            summary = String.format(Locale.ROOT, "kvm_page_fault: fault at address 0x%x (page 0x%x), %serror_code 0x%x fits "
                    + "neither an EPT violation's exit qualification (no access bit, or bits 63:17 set) nor KVM's PFERR bits",
                    address, address & PAGE_MASK, where, code);
        }
        if (ept) {
            next.add("vmx stat --by ept-page counts EPT violations and their exit-to-entry time per guest-physical page");
        }
        return new Explanation(Subject.TRACE_LINE, text, summary, details, next);
    }
}
