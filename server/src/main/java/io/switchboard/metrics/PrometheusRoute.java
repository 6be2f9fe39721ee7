package io.switchboard.metrics;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code GET /metrics} in Prometheus text format, behind its own optional bearer token. */
public final class PrometheusRoute {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final byte[] token;

    public PrometheusRoute(Metrics metrics, String token) {
        DropwizardExports.builder().dropwizardRegistry(metrics.registry()).register(registry);
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    public void register(JavalinConfig cfg) {
        cfg.routes.get("/metrics", this::scrape);
    }

    private void scrape(Context ctx) throws java.io.IOException {
        if (token != null) {
            String auth = ctx.header("Authorization");
            byte[] presented = auth != null && auth.startsWith("Bearer ")
                    ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(token, presented)) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"metrics\"").status(401).result("metrics token required\n");
                return;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        ctx.contentType(writer.getContentType()).result(out.toByteArray());
    }
}
