package io.switchboard.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (META-INF/services plus extension autodetection in junit-platform.properties):
 * fails the class during which a registered secret or a signed JWT was logged. Its after-all callback runs after
 * the class's own {@code @AfterAll}, so what a server logs while it stops counts too. Leaks logged between two
 * classes (by threads a class left behind) fail the next class, with a message saying so.
 */
public final class LeakGuardExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        fail(LeakGuard.takeLeaks(), "before " + context.getDisplayName() + " started (left behind by an earlier class)");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        fail(LeakGuard.takeLeaks(), "while " + context.getDisplayName() + " ran");
    }

    private static void fail(List<LeakGuard.Leak> leaks, String when) {
        if (leaks.isEmpty()) return;
        StringBuilder b = new StringBuilder(leaks.size() + " log line(s) held a secret " + when + ":");
        for (LeakGuard.Leak l : leaks.subList(0, Math.min(20, leaks.size()))) {
            b.append("\n  ").append(l.level()).append(' ').append(l.logger()).append(": ").append(l.secretHint());
        }
        throw new AssertionError(b.toString());
    }
}
