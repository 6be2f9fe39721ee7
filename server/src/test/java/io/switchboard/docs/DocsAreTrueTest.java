package io.switchboard.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.config.ConfigKey;
import io.switchboard.config.Keys;
import io.switchboard.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps README.md and docs/protocol.md in step with the code: every key and every error code is documented. */
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
