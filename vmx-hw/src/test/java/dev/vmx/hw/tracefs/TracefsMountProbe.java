package dev.vmx.hw.tracefs;

import dev.vmx.hw.NativeUnavailableException;

/**
 * Run by {@link TracefsMountTest} in a child JVM inside a private mount namespace where tracefs is
 * not mounted: prints what {@link Tracefs#locate()} did, one {@code key=value} per line.
 */
public final class TracefsMountProbe {
    private TracefsMountProbe() {
    }

    /**
     * Locates (and so mounts) tracefs and prints the outcome.
     *
     * @param args none
     */
    public static void main(String[] args) {
        try {
            Tracefs tracefs = Tracefs.locate();
            System.out.println("root=" + tracefs.root());
            System.out.println("mountedHere=" + tracefs.mountedHere());
            System.out.println("headerPage=" + java.nio.file.Files.isReadable(tracefs.root().resolve("events/header_page")));
        } catch (NativeUnavailableException e) {
            System.out.println("error=" + e.getMessage());
        }
    }
}
