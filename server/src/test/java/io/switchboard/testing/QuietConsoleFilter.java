package io.switchboard.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the test console as quiet as production's defaults (Switchboard at INFO, Jetty, Hikari, Flyway and Javalin
 * at WARN) while the loggers themselves run at TRACE for the {@link LeakGuardAppender}.
 */
public final class QuietConsoleFilter extends Filter<ILoggingEvent> {
    @Override
    public FilterReply decide(ILoggingEvent event) {
        String name = event.getLoggerName();
        Level min = name.startsWith("org.eclipse.jetty") || name.startsWith("com.zaxxer.hikari")
                || name.startsWith("org.flywaydb") || name.startsWith("io.javalin") ? Level.WARN : Level.INFO;
        return event.getLevel().isGreaterOrEqual(min) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
