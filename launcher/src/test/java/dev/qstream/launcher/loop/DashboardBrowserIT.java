package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.console.dashboard.DashboardServer;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real headless Chromium while the loop runs on the embedded broker: the charts fill with data
 * points pushed over server-sent events, and the thumbs-up button produces a Feedback record on the feedback topic.
 * A screenshot goes to {@code target/dashboard.png}. Skipped, with the reason, where Chromium or chromedriver is
 * missing ({@code .ci/run} installs Debian's {@code chromium} and {@code chromium-driver}).
 */
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("QSTREAM_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("QSTREAM_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    /** Charts the running loop must fill: every one whose metrics the services publish today. */
    private static final List<String> LIVE_CHARTS = List.of("rewardByVersion", "rewardOverTime", "learnerLoss", "learnerQ",
            "learnerThroughput", "replay", "actorTokens", "modelVersions", "swapLatency", "lag", "deadLetters");

    private static EmbeddedKafkaBroker broker;
    private static LoopScenario loop;
    private static DashboardServer dashboard;
    private static ChromeDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless browser test skipped: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed "
                        + "(apt-get install chromium chromium-driver; .ci/run installs them)");
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        loop = new LoopScenario(broker.bootstrapServers(), "web").startServices();
        loop.produceRaw(QstreamTopic.PROMPTS, "junk".getBytes(StandardCharsets.UTF_8),
                "not a prompt".getBytes(StandardCharsets.UTF_8)); // so the dead-letter chart and tables have something
        loop.startTraffic(30);
        dashboard = DashboardServer.start(loop.settings, new DashboardServer.Options(HttpExposure.loopback(Optional.empty()), 0,
                Duration.ofMinutes(10), Duration.ofSeconds(1), "ops-web", false));

        profile = Files.createTempDirectory("qstream-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1440,3300", "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** Data points held by each uPlot chart on the page (non-null y values over every series). */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> chartPoints() {
        return (Map<String, Long>) js("return Object.fromEntries(Object.entries(window.qstream.charts).map(([id, u]) =>"
                + " [id, u.data.slice(1).reduce((n, s) => n + s.filter(v => v != null).length, 0)]));");
    }

    @Test
    void theChartsFillWithTheLiveLoopAndTheFeedbackButtonWritesAFeedbackRecord() throws Exception {
        browser.get(dashboard.url());
        await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) js("return window.qstream.snapshots")).intValue() > 0);
        assertThat(browser.findElement(By.id("connection")).getText()).startsWith("live");

        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(chartPoints()).as("data points per chart").allSatisfy((id, n) -> {
                    if (LIVE_CHARTS.contains(id)) {
                        assertThat(n).as(id).isPositive();
                    }
                }).containsKeys(LIVE_CHARTS.toArray(String[]::new)));
        // Learning happened in front of the page: more than one model version served.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> ((Number) js("return window.qstream.charts.rewardByVersion.data[0].length")).intValue() >= 2);
        assertThat(browser.findElements(By.cssSelector("#instances tr"))).hasSizeGreaterThanOrEqualTo(4); // header + 3 services
        assertThat(browser.findElement(By.id("instances")).getText()).contains("learner-it").contains("up");
        // The learner commits offsets only with its checkpoints, so its group shows up a little after the others.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(browser.findElement(By.id("lag-table")).getText()).contains("web-learner"));
        assertThat(browser.findElement(By.id("dlq-newest")).getText()).contains("web.prompts");
        Thread.sleep(2_000); // one more push, so the screenshot shows settled charts
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

        // Thumbs up on the newest scored generation.
        String episodeId = clickThumbsUp();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Boolean.TRUE.equals(js("return window.qstream.feedbackSent.get('" + episodeId + "') === 1")));
        // The pointer is still over the table, so it held still: the rated row is there and says so.
        assertThat(browser.findElement(By.cssSelector("#generations tr[data-episode-id='" + episodeId + "']")).getText())
                .contains("▲ sent");
        Feedback feedback = awaitFeedback(episodeId);
        assertThat(feedback.getKind()).isEqualTo(FeedbackKind.THUMBS);
        assertThat(feedback.getValue()).isEqualTo(1.0);
        assertThat(feedback.getSource()).isEqualTo("dashboard");
        assertThat((List<?>) js("return window.qstream.errors")).as("JavaScript errors on the page").isEmpty();
    }

    /**
     * Points at the generations table (which then holds still) and clicks the first thumbs-up of a scored row; a row
     * replaced by a push just before the pointer arrived is retried.
     */
    private static String clickThumbsUp() {
        for (int attempt = 0; ; attempt++) {
            try {
                new Actions(browser).moveToElement(browser.findElement(By.id("generations"))).perform();
                WebElement row = browser.findElements(By.cssSelector("#generations tr[data-episode-id]")).stream()
                        .filter(r -> !r.getText().contains("scoring")).findFirst().orElseThrow();
                String id = row.getDomAttribute("data-episode-id");
                row.findElement(By.cssSelector("button.feedback-up")).click();
                return id;
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private static Feedback awaitFeedback(String episodeId) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(loop.settings.consumer("web-feedback-check", null))) {
            List<TopicPartition> partitions = consumer.partitionsFor(loop.settings.topic(QstreamTopic.FEEDBACK)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<Feedback> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(Serdes.FEEDBACK.decode(r.value())));
                return seen.stream().anyMatch(f -> f.getEpisodeId().toString().equals(episodeId));
            });
            return seen.stream().filter(f -> f.getEpisodeId().toString().equals(episodeId)).findFirst().orElseThrow();
        }
    }
}
