package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's, driven through its own chromedriver) pointed at a test server's console. Each
 * browser gets a fresh profile directory, deleted on close. Missing binaries skip the test locally and fail it in
 * CI ({@code CI=true}), so that a CI machine without a browser cannot pass by running nothing.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The console's address: the page users open. */
    public static final String CONSOLE = "/console/";
    public static final Duration WAIT = Duration.ofSeconds(15);

    /**
     * Selenium warns once per browser that it has no CDP implementation for this Chromium's version; the tests use
     * WebDriver only, never CDP, so the warning says nothing. Held here: java.util.logging keeps loggers weakly, and
     * a collected logger would forget its level.
     */
    private static final List<java.util.logging.Logger> QUIETED = quietSeleniumCdpWarnings();

    public final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final TestServer server;

    private Browser(TestServer server, ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.server = server;
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    private static List<java.util.logging.Logger> quietSeleniumCdpWarnings() {
        List<java.util.logging.Logger> loggers = List.of(
                java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"));
        loggers.forEach(l -> l.setLevel(Level.SEVERE));
        return loggers;
    }

    /** Skips (locally) or fails (CI=true) when Chromium or chromedriver is not installed. */
    public static void requireChromium() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (present) return;
        String what = "the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(what + "; CI=true, so a missing browser is an error");
        Assumptions.abort(what + "; skipped because CI is not \"true\"");
    }

    public static Browser open(TestServer server) {
        requireChromium();
        Path profile;
        try {
            profile = Files.createTempDirectory("switchboard-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile,
                "--window-size=1280,900", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(WAIT);
            return new Browser(server, service, driver, profile);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
    }

    /** Opens the console at a route (e.g. "#/connections") with no session: cookies of earlier tests are dropped. */
    public void fresh(String route) {
        driver.get(server.http(CONSOLE).toString());
        driver.manage().deleteAllCookies();
        driver.get("about:blank"); // a new document: a console URL differing only in its hash would not reload
        driver.get(server.http(CONSOLE + route).toString());
    }

    /** Opens the console at a route and signs in with the token. */
    public void signIn(String token, String route) {
        fresh(route);
        WebElement field = await(By.id("signin-token"));
        field.clear();
        field.sendKeys(token);
        driver.findElement(By.id("signin-submit")).click();
        until("the console to show the signed-in header", d -> d.findElement(By.id("topbar")).isDisplayed());
        until("the live stream to be live", d -> "live".equals(d.findElement(By.id("live-status")).getText()));
        LeakGuard.register(token);
        var session = driver.manage().getCookieNamed("sb_session");
        if (session != null) LeakGuard.register(session.getValue()); // the session id is a credential too
    }

    /** Navigates within the page (hash routing, no reload) and waits for the view's heading. */
    public void go(String route) {
        js("location.hash = arguments[0]", route);
        until("the view of " + route, d -> !d.findElements(By.cssSelector("#view h1")).isEmpty());
    }

    public WebElement await(By by) {
        return waiter().until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public <T> T until(String what, Function<WebDriver, T> condition) {
        return until(what, WAIT, condition);
    }

    public <T> T until(String what, Duration timeout, Function<WebDriver, T> condition) {
        return waiter(timeout).withMessage(what).until(condition);
    }

    private WebDriverWait waiter() {
        return waiter(WAIT);
    }

    private WebDriverWait waiter(Duration timeout) {
        WebDriverWait w = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
        w.ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return w;
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async script: the last argument is the callback that ends it. */
    public Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Errors the page logged (script errors, CSP violations, failed loads). */
    public List<String> severeLogs() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    public void screenshot(Path file) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp profile is harmless.
        }
    }
}
