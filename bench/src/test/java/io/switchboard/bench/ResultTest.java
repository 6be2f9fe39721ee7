package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTest {
    @Test
    void aResultLineReadsBackToTheSameValues() {
        Map<String, Long> errors = new LinkedHashMap<>();
        errors.put("busy", 3L);
        errors.put("rate_limited", 1L);
        Result r = new Result().put("scenario", "B").put("step", "B").put("target", "switchboard").put("status", "ok")
                .put("conns", 1000).put("p99_ms", 12.3456).put("client_errors", errors).put("closes", Map.of())
                .put("reason", "two words").put("heap_per_conn_kb", Double.NaN);
        String line = r.line();
        assertTrue(line.startsWith("RESULT scenario=B step=B target=switchboard status=ok conns=1000 p99_ms=12.3 "), line);

        Result back = Result.parse(line);
        assertEquals(r.asMap(), back.asMap());
        assertEquals(1000, back.num("conns"));
        assertEquals("busy:3,rate_limited:1", back.get("client_errors"));
        assertEquals("-", back.get("closes"));
        assertEquals("two_words", back.get("reason"));
        assertFalse(back.has("heap_per_conn_kb"));
        assertTrue(Double.isNaN(back.num("heap_per_conn_kb")));
        assertTrue(back.ok());
    }

    @Test
    void otherLinesAreNotResults() {
        assertNull(Result.parse("RATIO scenario=B step=B p99_ms=2"));
        assertNull(Result.parse("# host: 2 cores"));
    }
}
