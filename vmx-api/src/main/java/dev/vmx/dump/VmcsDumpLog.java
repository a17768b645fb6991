package dev.vmx.dump;

import java.util.List;

/**
 * Everything {@link VmcsDumpParser#read(java.io.Reader)} found in one kernel log: the dump blocks
 * and the problems on lines that belong to no block (an "entry failed, hardware error 0x..." line
 * whose number does not fit 64 bits, say), so that nothing read is dropped without a word.
 *
 * @param dumps the blocks in input order
 * @param problems problems on lines outside every block, in input order
 * @param lines the number of lines read
 */
public record VmcsDumpLog(List<VmcsDump> dumps, List<VmcsDumpProblem> problems, long lines) {

    /**
     * Copies the lists.
     *
     * @param dumps see the record component
     * @param problems see the record component
     * @param lines see the record component
     */
    public VmcsDumpLog {
        dumps = List.copyOf(dumps);
        problems = List.copyOf(problems);
    }
}
