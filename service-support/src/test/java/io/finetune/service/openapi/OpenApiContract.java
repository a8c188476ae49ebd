package io.finetune.service.openapi;

import io.finetune.service.rest.Problem;
import io.restassured.common.mapper.TypeRef;
import io.restassured.response.Response;
import org.assertj.core.api.SoftAssertions;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running service's {@code /q/openapi} document, held against the answers the service really gives: for every
 * answer a test shows it, the status must be documented for that operation, a 4xx must be a problem body documented
 * with the Problem schema, and a success's media type must be the documented one. {@link #describesEveryOperation}
 * checks the rest of what a client reads: what each operation and parameter is, and how to authenticate. For the
 * services' {@code OpenApiIT}s; service-support ships it in its test jar.
 */
public final class OpenApiContract {
    private static final String PROBLEM_REF = "#/components/schemas/" + Problem.SCHEMA;
    private final Map<String, Object> document;

    private OpenApiContract(Map<String, Object> document) {
        this.document = document;
    }

    /** The document of the service RestAssured points at. */
    public static OpenApiContract fetch() {
        return new OpenApiContract(given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().as(new TypeRef<Map<String, Object>>() { }));
    }

    /**
     * Asserts that {@code answer}, given by {@code method path} (the path as the document writes it, with its
     * {@code {parameters}}), is what the document says that operation answers.
     *
     * @return the answer, for the test's own assertions
     */
    public Response answered(String method, String path, Response answer) {
        String operation = method.toUpperCase(Locale.ROOT) + " " + path;
        String code = Integer.toString(answer.statusCode());
        Map<String, Object> responses = map(operation(method, path).get("responses"));
        assertThat(responses).as("%s answered %s: documented are %s", operation, code, responses.keySet())
                .containsKey(code);
        Map<String, Object> content = map(map(responses.get(code)).get("content"));
        String type = answer.contentType() == null ? "" : answer.contentType().split(";")[0].trim();
        if (answer.statusCode() >= 400) {
            assertThat(type).as("%s %s is a problem body", operation, code).isEqualTo(Problem.MEDIA_TYPE);
            assertThat(answer.jsonPath().getInt("status")).isEqualTo(answer.statusCode());
            assertThat(answer.jsonPath().getString("detail")).as("%s %s says why", operation, code).isNotBlank();
            assertThat(map(map(content.get(Problem.MEDIA_TYPE)).get("schema")).get("$ref"))
                    .as("%s %s is documented as a problem body", operation, code).isEqualTo(PROBLEM_REF);
        } else if (!answer.asString().isEmpty()) {
            assertThat(content).as("%s %s is documented as %s", operation, code, type).containsKey(type);
        }
        return answer;
    }

    /**
     * Every operation has a summary and a description, every parameter a description, every 4xx the Problem schema,
     * and every operation takes an API key ({@code X-API-Key}) or a bearer token.
     */
    public void describesEveryOperation() {
        Map<String, Object> schemes = map(map(document.get("components")).get("securitySchemes"));
        assertThat(map(schemes.get("apiKey"))).containsEntry("type", "apiKey").containsEntry("in", "header")
                .containsEntry("name", "X-API-Key");
        assertThat(map(schemes.get("bearer"))).containsEntry("type", "http").containsEntry("scheme", "bearer");
        assertThat(map(map(document.get("components")).get("schemas"))).containsKey(Problem.SCHEMA);
        SoftAssertions softly = new SoftAssertions();
        map(document.get("paths")).forEach((path, item) -> map(item).forEach((method, value) -> {
            Map<String, Object> op = map(value);
            String operation = method.toUpperCase(Locale.ROOT) + " " + path;
            softly.assertThat((String) op.get("summary")).as("%s: summary", operation).isNotBlank();
            softly.assertThat((String) op.get("description")).as("%s: description", operation).isNotBlank();
            for (Object parameter : list(op.get("parameters"))) {
                softly.assertThat((String) map(parameter).get("description"))
                        .as("%s: parameter %s", operation, map(parameter).get("name")).isNotBlank();
            }
            map(op.get("responses")).forEach((code, response) -> {
                if (code.startsWith("4")) {
                    softly.assertThat(map(map(map(map(response).get("content")).get(Problem.MEDIA_TYPE))
                            .get("schema")).get("$ref")).as("%s %s: problem schema", operation, code)
                            .isEqualTo(PROBLEM_REF);
                }
            });
            softly.assertThat(list(op.get("security"))).as("%s: security", operation)
                    .anySatisfy(requirement -> assertThat(map(requirement)).containsKey("apiKey"))
                    .anySatisfy(requirement -> assertThat(map(requirement)).containsKey("bearer"));
        }));
        softly.assertAll();
    }

    private Map<String, Object> operation(String method, String path) {
        Map<String, Object> item = map(map(document.get("paths")).get(path));
        assertThat(item).as("the document has the path %s", path).isNotEmpty();
        Map<String, Object> operation = map(item.get(method.toLowerCase(Locale.ROOT)));
        assertThat(operation).as("the document has %s %s", method, path).isNotEmpty();
        return operation;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> object ? (Map<String, Object>) object : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> items ? items : List.of();
    }
}
