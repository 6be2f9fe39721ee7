package io.switchboard.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * Logback conversion word {@code %redact(...)}: renders its content (message, stack trace) with every credential
 * masked by {@link Redaction}. Declared in {@code logback.xml}.
 */
public final class RedactingConverter extends CompositeConverter<ILoggingEvent> {
    @Override
    protected String transform(ILoggingEvent event, String in) {
        return Redaction.redact(in);
    }
}
