package io.switchboard.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.config.ConfigKey;
import io.switchboard.config.Keys;
import io.switchboard.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps README.md and docs/ in step with the code: every key and every error code is documented, and the shell
 * examples can be pasted as they are.
 */
class DocsAreTrueTest {
    private static String read(String path) throws IOException {
        return Files.readString(Path.of("..").resolve(path));
    }

    @Test
    void everyConfigKeyIsInTheReadme() throws IOException {
        String readme = read("README.md");
        for (ConfigKey<?> k : Keys.ALL) {
            assertTrue(readme.contains("`" + k.name() + "`") && readme.contains("`" + k.envVar() + "`"),
                    "README.md must document " + k.name() + " / " + k.envVar());
        }
    }

    @Test
    void theReadmeShowsEveryKeysCurrentDefault() throws IOException {
        for (String line : read("README.md").split("\n")) {
            for (ConfigKey<?> k : Keys.ALL) {
                if (!line.startsWith("| `" + k.name() + "` |") || k.secret() || k.defaultValue().isEmpty()) continue;
                assertTrue(line.contains("`" + k.defaultValue() + "`"),
                        "README.md shows a stale default for " + k.name() + " (now " + k.defaultValue() + "): " + line);
            }
        }
    }

    @Test
    void theQuickStartStillRunsTheServerAndAllTests() throws IOException {
        String firstShell = shellBlocks(read("README.md")).get(0);
        assertTrue(firstShell.contains("java -jar server/target/switchboard.jar"), "run the server:\n" + firstShell);
        assertTrue(firstShell.contains("./mvnw -B verify"), "run all tests:\n" + firstShell);
    }

    /** Pasting a shell block must not run chat frames as commands: frames go in their own (json) blocks. */
    @Test
    void shellBlocksHoldNoJsonFrames() throws IOException {
        List<String> docs = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> files = Files.list(Path.of("..", "docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(f -> docs.add("docs/" + f.getFileName()));
        }
        for (String doc : docs) {
            for (String block : shellBlocks(read(doc))) {
                for (String line : block.split("\n")) {
                    String t = line.strip();
                    assertFalse(t.startsWith("{\"") || (t.startsWith("{") && t.endsWith("}")) || t.startsWith("←") || t.startsWith("→"),
                            doc + ": a JSON frame inside a shell block would run as a command: " + line);
                }
            }
        }
    }

    private static List<String> shellBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```(?:sh|bash|shell|console)\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    @Test
    void everyErrorCodeIsInTheProtocolDocument() throws IOException {
        String protocol = read("docs/protocol.md");
        for (ErrorCode c : ErrorCode.values()) {
            assertTrue(protocol.contains("`" + c.wire() + "`"), "docs/protocol.md must document error " + c.wire());
        }
    }

    @Test
    void everyCloseCodeIsInTheProtocolDocument() throws Exception {
        String protocol = read("docs/protocol.md");
        for (var f : io.switchboard.protocol.CloseCodes.class.getFields()) {
            int code = f.getInt(null);
            assertTrue(protocol.contains("| " + code + " |"), "docs/protocol.md must document close code " + code);
        }
    }
}
