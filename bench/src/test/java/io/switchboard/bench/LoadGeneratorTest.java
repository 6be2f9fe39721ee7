package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator against an in-process baseline on loopback: a few connections, no measurement. */
@Timeout(60)
class LoadGeneratorTest {
    @Test
    void theDeflateOfferIsMadeOnlyWhenAskedAndTheBaselineAcceptsItAsJettyDoes() throws Exception {
        Server baseline = new BaselineServer().start("127.0.0.1", 0);
        try (LoadGenerator gen = new LoadGenerator(1, 1, 4)) {
            int port = ((ServerConnector) baseline.getConnectors()[0]).getLocalPort();
            for (boolean deflate : new boolean[] {true, false}) {
                List<Conn> conns = new ArrayList<>();
                Wire wire = new Wire.Baseline();
                for (int i = 0; i < 3; i++) {
                    Conn c = new Conn(i, "u" + i, "r0", wire, new Stats());
                    c.uri = wire.uri(port, c);
                    conns.add(c);
                }
                gen.connectAll(conns, deflate, 3, Duration.ofSeconds(10), Duration.ofSeconds(20));
                for (Conn c : conns) {
                    assertEquals(c, c.ready.getNow(null), "joined");
                    assertEquals(deflate, c.deflateAccepted, "offered: " + deflate);
                    c.getSession().close();
                }
            }
        } finally {
            baseline.stop();
        }
    }
}
