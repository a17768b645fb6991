package dev.vmx.hw.bochs;

/** A case that could not be run as asked: rejected input, a crash or hang of Bochs, a refused VMWRITE. */
public class BochsCaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The case's name. */
    private final String caseName;

    /**
     * An exception about one case.
     *
     * @param caseName the case's name
     * @param message the complete explanation (it names the case)
     */
    public BochsCaseException(String caseName, String message) {
        super(message);
        this.caseName = caseName;
    }

    /**
     * The case's name.
     *
     * @return the name
     */
    public String caseName() {
        return caseName;
    }
}
