package dev.vmx.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.entry.EntryCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every cited SDM section says its edition, and the number printed first is the one readers of the
 * current editions find: checked against section numbers public sources cite from both editions.
 */
class SdmCitationTest {

    @Test
    void renumberingAgainstCitationsFromBothEditions() throws IOException {
        List<String> rows;
        try (InputStream in = getClass().getResourceAsStream("sdm-current-numbering.tsv")) {
            rows = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
        }
        assertTrue(rows.size() >= 5);
        for (String row : rows) {
            String[] cells = row.split("\t");
            assertEquals(cells[1], SdmSection.renumbered(cells[0]), row);
        }
        assertEquals("Appendix C", SdmSection.renumbered("Appendix C"));
        assertEquals("23.1", SdmSection.renumbered("23.1")); // not a VMX chapter: unchanged
        assertEquals("30", SdmSection.renumbered("29"));
        assertThrows(IllegalArgumentException.class, () -> SdmSection.renumbered(""));
    }

    @Test
    void everySectionCitesBothEditions() {
        for (SdmSection section : SdmSection.values()) {
            String citation = section.citation();
            assertTrue(citation.contains(section.currentNumber() + " \"" + section.title() + "\""), citation);
            if (!section.number().startsWith("Appendix")) {
                assertTrue(citation.endsWith("(§" + section.number() + " in the September 2016 edition)"), citation);
                assertTrue(section.toString().contains("(" + section.number() + " in the 2016 edition)"), section.toString());
            }
        }
        assertEquals("SDM 26.1.3 \"Instructions That Cause VM Exits Conditionally\" (25.1.3 in the 2016 edition)",
                SdmSection.CONDITIONAL_INSTRUCTIONS.toString());
        assertEquals("SDM Vol. 3D Appendix C \"VMX Basic Exit Reasons\"", SdmSection.BASIC_EXIT_REASONS.citation());
    }

    @Test
    void everyEntryCheckCitesTheVmEntriesChapterOfBothEditions() {
        for (EntryCheck check : EntryCheck.values()) {
            assertTrue(check.section().startsWith("26."), check + " " + check.section());
            assertEquals("27" + check.section().substring(2), check.currentSection());
            assertTrue(check.citation().startsWith("SDM Vol. 3C §27."), check.citation());
            assertTrue(check.citation().contains("in the September 2016 edition"), check.citation());
        }
        assertEquals("SDM Vol. 3C §27.3.1.4 \"Checks on Guest RIP and RFLAGS\" (§26.3.1.4 in the September 2016 edition)",
                EntryCheck.GUEST_RFLAGS_IF_FOR_INTERRUPT.citation());
    }
}
