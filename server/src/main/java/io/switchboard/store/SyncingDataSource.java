package io.switchboard.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * {@code db.durability=power} on H2: every commit is forced to disk before the caller goes on (and so before the
 * sequencer acks). H2's MVStore never fsyncs on commit by itself: with {@code WRITE_DELAY=0} a commit writes its
 * chunk to the file (the OS page cache), and only {@code CHECKPOINT SYNC} ({@code FileChannel.force(true)}) puts it
 * on the device. So this wraps each pooled connection: after {@link Connection#commit()}, and after each update
 * run in auto-commit mode (admin writes: bans, audit log, console sessions), it runs {@code CHECKPOINT SYNC} on the
 * same connection. A failing sync throws from {@code commit()}, so the caller refuses instead of acking.
 */
final class SyncingDataSource implements DataSource {
    /** Statement methods that may write; reads (executeQuery) need no sync. */
    private static final Set<String> WRITES = Set.of("execute", "executeUpdate", "executeLargeUpdate", "executeBatch",
            "executeLargeBatch");

    private final DataSource delegate;

    SyncingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** Forces everything H2 has written so far to the device (H2 needs admin rights; the embedded user has them). */
    static void sync(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CHECKPOINT SYNC");
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(delegate.getConnection(username, password));
    }

    private static Connection wrap(Connection c) {
        return (Connection) Proxy.newProxyInstance(SyncingDataSource.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(c));
    }

    private record ConnectionHandler(Connection target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object result = call(target, method, args);
            switch (method.getName()) {
                case "commit" -> sync(target);
                case "createStatement", "prepareStatement", "prepareCall" -> {
                    Class<?> type = method.getReturnType(); // Statement, PreparedStatement or CallableStatement
                    return Proxy.newProxyInstance(SyncingDataSource.class.getClassLoader(), new Class<?>[] {type},
                            new StatementHandler(target, (Connection) proxy, result));
                }
                default -> { }
            }
            return result;
        }
    }

    private record StatementHandler(Connection connection, Connection connectionProxy, Object target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if ("getConnection".equals(method.getName())) return connectionProxy;
            Object result = call(target, method, args);
            // In a transaction the sync waits for commit(); in auto-commit mode this statement was the commit.
            if (WRITES.contains(method.getName()) && connection.getAutoCommit()) sync(connection);
            return result;
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
