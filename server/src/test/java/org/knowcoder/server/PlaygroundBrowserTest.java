package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Options;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.knowcoder.server.TestClient.JSON;
import static org.knowcoder.server.TestClient.ok;

/**
 * The playground page in a real browser (headless Chromium, skipped where none is installed; CI
 * installs Debian's chromium): it loads {@code /}, a sentence and its types are typed in, Extract is
 * clicked, and the entities come back highlighted in the text, each mark the text and type of an
 * entity the API itself returns for that sentence. On the shipped model (the repository's
 * models/knowcoder-mini), asked for two of its own types: a model that does no extraction (as
 * stories260K) has its constrained answers' items dropped as forced and finds nothing to highlight.
 * The page as the browser drew it is saved as target/playground.png.
 */
class PlaygroundBrowserTest {
    private static final String SENTENCE = "Ann met Bob in Paris.";
    private static final String TYPES = "Human, GeographicLocation";
    private static final Path SHIPPED = Path.of("..", "models", "knowcoder-mini");
    static final Path SCREENSHOT = Path.of("target", "playground.png");

    @Test
    void highlightsTheEntitiesOfATypedSentence(@TempDir Path profile) throws Exception {
        Path chromium = HeadlessChromium.find();
        assumeTrue(chromium != null, "no chromium on the PATH (apt-get install chromium)");
        KnowCoder kc = KnowCoder.load(SHIPPED, Options.defaults().withThreads(1).withBatch(4).withMaxNewTokens(256));
        try (ExtractionServer server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 8, Duration.ofSeconds(120), 16 << 10));
             HeadlessChromium browser = new HeadlessChromium(chromium, profile)) {
            server.ready(kc, "knowcoder-mini", null);
            JsonNode expected = ok(TestClient.post(server, "/v1/extract", null,
                    "{\"text\": " + JSON.writeValueAsString(SENTENCE) + ", \"types\": [\"Human\", \"GeographicLocation\"]}")).get("entities");
            assertFalse(expected.isEmpty(), "the model finds an entity in the sentence: " + expected);

            browser.open(server.url() + "/");
            browser.evaluate("document.getElementById('input').value = " + JSON.writeValueAsString(SENTENCE) + ";"
                    + "document.getElementById('types').value = " + JSON.writeValueAsString(TYPES) + ";"
                    + "document.getElementById('go').click(); true");
            browser.waitFor("document.querySelectorAll('#text mark.entity').length > 0 || document.getElementById('error').textContent", Duration.ofSeconds(120));
            assertEquals("", browser.evaluate("document.getElementById('error').textContent").asText(), "the page shows no error");
            browser.screenshot(SCREENSHOT);
            System.out.println("playground screenshot: " + SCREENSHOT.toAbsolutePath());

            JsonNode marks = browser.evaluate("[...document.querySelectorAll('#text mark.entity')].map(m => ({type: m.dataset.type, text: m.firstChild.textContent}))");
            assertEquals(shown(expected), marks.toString(), "each highlight is an entity the API returns, its text and type");
            assertEquals(SENTENCE, browser.evaluate("[...document.getElementById('text').childNodes]"
                    + ".map(n => n.nodeType === 3 ? n.textContent : n.firstChild.textContent).join('')").asText(), "the sentence, marks and all");
        }
    }

    /** The entities as the page marks them: in order of their start, a later one overlapping an earlier left out. */
    private static String shown(JsonNode entities) {
        List<JsonNode> sorted = new ArrayList<>();
        entities.forEach(sorted::add);
        sorted.sort((a, b) -> Integer.compare(a.get("start").asInt(), b.get("start").asInt()));
        var out = JSON.createArrayNode();
        int at = 0;
        for (JsonNode e : sorted) {
            if (e.get("start").asInt() < at) continue;
            out.addObject().put("type", e.get("type").asText()).put("text", e.get("text").asText());
            at = e.get("end").asInt();
        }
        return out.toString();
    }
}
