package io.switchboard.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.Layout;

/**
 * Logback appender of the test configuration that writes nothing: it renders each event with the production
 * layout (so with its {@code %redact}) and hands the line to {@link LeakGuard}. Attached to the root logger at
 * TRACE, it sees every event of every library, whatever the console shows.
 *
 * <p>Unsynchronized on purpose: rendering a message calls its arguments' {@code toString}, and some of Jetty's take
 * Jetty's own locks. Under one appender-wide monitor, a thread rendering such an argument and a thread logging while
 * holding that Jetty lock deadlocked the suite. The layout is thread-safe and {@link LeakGuard} records leaks under
 * its own lock.
 */
public final class LeakGuardAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private Layout<ILoggingEvent> layout;

    public void setLayout(Layout<ILoggingEvent> layout) {
        this.layout = layout;
    }

    @Override
    public void start() {
        if (layout == null) {
            addError("LeakGuardAppender needs a layout");
            return;
        }
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // Fast path, nearly every event: the bare message holds nothing secret, so neither does the rendered line
        // (the layout only adds time, level, thread and logger, and redaction only removes). Otherwise the verdict
        // is on the line as production would write it, with the redaction applied.
        String message = event.getFormattedMessage();
        boolean messageHeldSecret = message != null && LeakGuard.find(message) != null;
        if (!messageHeldSecret && event.getThrowableProxy() == null) return;
        LeakGuard.scan(event.getLoggerName(), event.getLevel().toString(), layout.doLayout(event), messageHeldSecret);
    }
}
