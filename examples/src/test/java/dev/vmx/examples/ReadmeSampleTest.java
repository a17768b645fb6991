package dev.vmx.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's first Java sample, compiled and run as written: its import lines become the imports
 * of a class, the other lines the body of its main, and each {@code println} must print what the
 * comment on its line says (the comment text before the first ':').
 */
class ReadmeSampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PRINTLN = Pattern.compile("^System\\.out\\.println\\(.*;\\s*//\\s*([^:]+?)\\s*(:.*)?$");

    private static String firstJavaSample() throws IOException {
        // the reactor root: Surefire runs in examples/, an IDE may run in the root
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no README.md next to mvnw above " + Path.of("").toAbsolutePath());
        Path readme = dir.resolve("README.md");
        Matcher block = JAVA_BLOCK.matcher(Files.readString(readme, StandardCharsets.UTF_8));
        assertTrue(block.find(), "README.md has no ```java block");
        return block.group(1);
    }

    @Test
    void theFirstSampleCompilesAndPrintsWhatItsCommentsSay(@TempDir Path dir) throws Exception {
        String sample = firstJavaSample();
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (String line : sample.split("\n")) {
            String code = line.strip();
            if (code.startsWith("import ")) {
                imports.append(code).append('\n');
            } else if (!code.isEmpty()) {
                body.append("        ").append(code).append('\n');
                Matcher println = PRINTLN.matcher(code);
                if (println.matches()) {
                    expected.add(println.group(1));
                }
            }
        }
        assertTrue(expected.size() >= 4, "the sample shows its results with println and a comment: " + sample);

        Path source = dir.resolve("ReadmeSample.java");
        Files.writeString(source, imports + "\npublic class ReadmeSample {\n    public static void main(String[] args) {\n"
                + body + "    }\n}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        int status = javac.getTask(diagnostics, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), "-proc:none"),
                null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source.toFile()))
                .call() ? 0 : 1;
        assertEquals(0, status, "README's sample does not compile:\n" + Files.readString(source) + diagnostics);

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("ReadmeSample").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        List<String> printed = List.of(captured.toString(StandardCharsets.UTF_8).split("\\R"));
        assertEquals(expected, printed, "README's sample prints what its comments say");
    }
}
