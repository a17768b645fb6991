package dev.vmx.cli;

import dev.vmx.trace.BinaryKvmTraceFormat;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/** Opening a FILE argument, where {@code -} is standard input, with errors that name the file. */
final class Inputs {
    /** The name standard input has in messages. */
    static final String STDIN = "<stdin>";

    private Inputs() {
    }

    static boolean isStdin(String name) {
        return name.equals("-");
    }

    static String displayName(String name) {
        return isStdin(name) ? STDIN : name;
    }

    /**
     * Opens a file or standard input as UTF-8 text.
     *
     * @param name the argument
     * @return the reader
     * @throws UserError if the file cannot be opened
     */
    static BufferedReader reader(String name) {
        BufferedInputStream in = new BufferedInputStream(stream(name), 1 << 16);
        refuseTraceDat(name, in);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /**
     * Whether a stream starts like a binary trace (a trace-cmd trace.dat), as the readers that
     * {@link dev.vmx.trace.ExitStatistics#readFile} finds recognize one; the stream is left where it was.
     *
     * @param in a stream that supports mark and reset
     * @param name the argument, for the message if it cannot be read
     * @return true for a binary trace
     */
    static boolean startsAsBinaryTrace(InputStream in, String name) {
        byte[] head = new byte[16]; // as much as BinaryKvmTraceFormat.recognizes looks at
        int length;
        try {
            in.mark(head.length);
            length = in.readNBytes(head, 0, head.length);
            in.reset();
        } catch (IOException e) {
            throw cannotRead(name, e);
        }
        for (BinaryKvmTraceFormat format : ServiceLoader.load(BinaryKvmTraceFormat.class)) {
            if (format.recognizes(head, length)) {
                return true;
            }
        }
        return false;
    }

    /** The commands that read text refuse a trace.dat by name, instead of failing on its first line. */
    private static void refuseTraceDat(String name, InputStream in) {
        if (startsAsBinaryTrace(in, name)) {
            throw UserError.at(displayName(name), 0, 0, "a trace-cmd trace.dat (binary), not text; 'vmx stat' reads"
                    + " trace.dat files, and 'trace-cmd report' turns one into text");
        }
    }

    /**
     * Opens a file or standard input as bytes.
     *
     * @param name the argument
     * @return the stream
     * @throws UserError if the file cannot be opened
     */
    static InputStream stream(String name) {
        if (isStdin(name)) {
            return System.in;
        }
        Path path = Path.of(name);
        if (Files.isDirectory(path)) {
            throw UserError.at(name, 0, 0, "is a directory, not a file");
        }
        try {
            // a pipe (bash's <(zcat trace.gz) is /dev/fd/63) through Files.newInputStream fails with
            // "Illegal seek" on JDK 17: its stream asks the channel for a position; FileInputStream does not
            boolean pipe = Files.exists(path) && !Files.isRegularFile(path);
            return pipe ? new java.io.FileInputStream(path.toFile()) : Files.newInputStream(path);
        } catch (IOException e) {
            throw cannotRead(name, e);
        }
    }

    /**
     * The whole text of a file or standard input.
     *
     * @param name the argument
     * @return the text
     */
    static String text(String name) {
        try (InputStream in = new BufferedInputStream(stream(name), 1 << 16)) {
            refuseTraceDat(name, in);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw cannotRead(name, e);
        }
    }

    static UserError cannotRead(String name, Exception e) {
        Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
        String why;
        if (cause instanceof NoSuchFileException) {
            why = "no such file";
        } else if (cause instanceof AccessDeniedException) {
            why = "permission denied";
        } else {
            why = "cannot read: " + cause.getMessage();
        }
        return UserError.at(displayName(name), 0, 0, why);
    }

    /**
     * A number as users write it: {@code 0x} hex or decimal, underscores allowed.
     *
     * @param option the option or argument, for messages
     * @param text the text
     * @return the value (64 bits, unsigned)
     * @throws UserError naming the option and the column of the first bad character
     */
    static long number(String option, String text) {
        String digits = text.strip().replace("_", "");
        int radix = 10;
        int offset = 0;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            offset = 2;
        }
        if (digits.length() == offset) {
            throw new UserError(option + ": '" + text + "' is not a number");
        }
        for (int i = offset; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                throw new UserError(option + ": '" + text + "' is not a " + (radix == 16 ? "hex " : "") + "number (column "
                        + (text.indexOf(digits.charAt(i)) + 1) + ")"
                        + (radix == 10 && Character.digit(digits.charAt(i), 16) >= 0 ? "; write hex with 0x" : ""));
            }
        }
        try {
            return Long.parseUnsignedLong(digits.substring(offset), radix);
        } catch (NumberFormatException e) {
            throw new UserError(option + ": '" + text + "' does not fit in 64 bits");
        }
    }

    /**
     * A number that must fit in 32 bits.
     *
     * @param option the option, for messages
     * @param text the text
     * @return the value
     */
    static int number32(String option, String text) {
        long value = number(option, text);
        if ((value >>> 32) != 0) {
            throw new UserError(option + ": '" + text + "' does not fit in 32 bits");
        }
        return (int) value;
    }
}
