//! An article's sources, written as Markdown footnotes: the public page
//! lists them under "Sources" with working links, search engines read
//! them as the JSON-LD `citation`, and the API returns them structured.

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use serde_json::{Value, json};

use crate::api::{api, spec};
use crate::blog::{TestPost, noon, post_as, post_with};
use crate::support::TestDb;
use crate::{create_user, page_html, start_at};

/// Three sources (a DOI, a PubMed ID, a web page), the first cited twice
/// and all defined in another order than the text cites them.
const CITING: &str = "Short nights raise blood pressure.[^trial] Naps help memory.[^naps] \
                      The NHS has advice on insomnia.[^nhs] So sleep well.[^trial]\n\n\
                      [^nhs]: NHS. Insomnia. https://www.nhs.uk/conditions/insomnia/\n\
                      [^naps]: Lee K. Naps and memory. Sleep 2019. PMID: 31234567\n\
                      [^trial]: Smith J et al. Sleep and blood pressure. NEJM 2021. doi:10.1056/NEJMoa2034577\n";

/// The page's JSON-LD about the article (its `BlogPosting`), parsed.
fn json_ld(page: &str) -> Value {
    page.split(r#"<script type="application/ld+json">"#)
        .skip(1)
        .filter_map(|rest| rest.split("</script>").next())
        .map(|block| serde_json::from_str::<Value>(block).expect("JSON-LD is JSON"))
        .find(|data| data["@type"] == "BlogPosting")
        .expect("a BlogPosting in JSON-LD")
}

/// The values of `attribute="…"` in `html`, in order.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    html.split(&format!(" {attribute}=\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

async fn footnotes_are_listed_as_sources_on_the_page_in_json_ld_and_in_the_api(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let spec = spec(&server).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let published = |title: &'static str, body: &'static str| TestPost {
        title,
        body,
        tags: "Sleep",
        to: PostStatus::Published,
        at: noon(),
        publish_at: None,
        reviewed: false,
    };
    post_with(&server, &ana, published("Sleep and blood pressure", CITING)).await;

    // The page: superscript numbers in the order of first citation, each
    // linking to its source, and a Sources list that ends the article.
    let page = page_html(&server, "/posts/sleep-and-blood-pressure").await;
    let article = page.split("</article>").next().expect("the article");
    assert!(
        article.contains(
            r##"blood pressure.<sup class="footnote-reference"><a href="#source-1" id="source-ref-1" rel="noopener">1</a></sup>"##
        ),
        "{article}"
    );
    assert!(
        article.contains(r##"memory.<sup class="footnote-reference"><a href="#source-2""##),
        "{article}"
    );
    assert!(
        article.contains(r##"well.<sup class="footnote-reference"><a href="#source-1" id="source-ref-1-2""##),
        "the second citation of the trial keeps its number: {article}"
    );
    let (_, list) = article
        .split_once(r#"<section class="sources" aria-labelledby="sources"><h2 id="sources">Sources</h2>"#)
        .unwrap_or_else(|| panic!("a Sources section: {article}"));
    let list = list.split("</section>").next().expect("the end of the list");
    let items: Vec<&str> = list.split("<li ").skip(1).collect();
    assert_eq!(items.len(), 3, "{list}");
    let expected = [
        (
            "source-1",
            "Smith J et al. Sleep and blood pressure. NEJM 2021.",
            "https://doi.org/10.1056/NEJMoa2034577",
            vec!["#source-ref-1", "#source-ref-1-2"],
        ),
        (
            "source-2",
            "Lee K. Naps and memory. Sleep 2019.",
            "https://pubmed.ncbi.nlm.nih.gov/31234567/",
            vec!["#source-ref-2"],
        ),
        (
            "source-3",
            "NHS. Insomnia.",
            "https://www.nhs.uk/conditions/insomnia/",
            vec!["#source-ref-3"],
        ),
    ];
    for (item, (id, name, link, back)) in items.iter().zip(expected) {
        assert!(
            item.starts_with(&format!("id=\"{id}\">{name} <a href=\"{link}\"")),
            "{item}"
        );
        let hrefs = attribute_values(item, "href");
        assert_eq!(hrefs[0], link, "{item}");
        assert_eq!(&hrefs[1..], back, "links back to each citation: {item}");
    }
    // Every link inside the article leads somewhere on the page.
    let ids = attribute_values(&page, "id");
    for href in attribute_values(article, "href") {
        if let Some(target) = href.strip_prefix('#') {
            assert_eq!(
                ids.iter().filter(|id| **id == target).count(),
                1,
                "#{target} names one element"
            );
        }
    }

    // Search engines: the same sources as schema.org citations.
    assert_eq!(
        json_ld(&page)["citation"],
        json!([
            { "@type": "CreativeWork", "name": "Smith J et al. Sleep and blood pressure. NEJM 2021.",
              "url": "https://doi.org/10.1056/NEJMoa2034577" },
            { "@type": "CreativeWork", "name": "Lee K. Naps and memory. Sleep 2019.",
              "url": "https://pubmed.ncbi.nlm.nih.gov/31234567/" },
            { "@type": "CreativeWork", "name": "NHS. Insomnia.",
              "url": "https://www.nhs.uk/conditions/insomnia/" },
        ])
    );

    // The API, checked against its OpenAPI schema by `api`.
    let (_, _, post) = api(&server, &spec, "/api/v1/posts/sleep-and-blood-pressure").await;
    assert_eq!(
        post["sources"],
        json!([
            { "number": 1, "name": "Smith J et al. Sleep and blood pressure. NEJM 2021.",
              "url": null, "doi": "10.1056/NEJMoa2034577", "pmid": null },
            { "number": 2, "name": "Lee K. Naps and memory. Sleep 2019.",
              "url": null, "doi": null, "pmid": "31234567" },
            { "number": 3, "name": "NHS. Insomnia.",
              "url": "https://www.nhs.uk/conditions/insomnia/", "doi": null, "pmid": null },
        ])
    );
    assert!(
        post["html"].as_str().expect("html").contains("id=\"source-3\""),
        "the API's HTML carries the list too"
    );

    // A source of words alone: listed, with no address to follow.
    post_with(
        &server,
        &ana,
        published(
            "Moving more",
            "Move every day.[^who]\n\n[^who]: WHO. Guidelines on physical activity, 2020.\n",
        ),
    )
    .await;
    let page = page_html(&server, "/posts/moving-more").await;
    assert!(
        page.contains(r##"<li id="source-1">WHO. Guidelines on physical activity, 2020. <a href="#source-ref-1""##),
        "{page}"
    );
    assert_eq!(
        json_ld(&page)["citation"],
        json!([{ "@type": "CreativeWork", "name": "WHO. Guidelines on physical activity, 2020." }])
    );
    let (_, _, post) = api(&server, &spec, "/api/v1/posts/moving-more").await;
    assert_eq!(
        post["sources"],
        json!([{ "number": 1, "name": "WHO. Guidelines on physical activity, 2020.",
                 "url": null, "doi": null, "pmid": null }])
    );

    // No footnotes: no list, no citation, no sources.
    post_as(&server, &ana, "Naps", "Sleep", PostStatus::Published, noon(), None).await;
    let page = page_html(&server, "/posts/naps").await;
    assert!(!page.contains("class=\"sources\""), "{page}");
    assert_eq!(json_ld(&page).get("citation"), None);
    let (_, _, post) = api(&server, &spec, "/api/v1/posts/naps").await;
    assert_eq!(post["sources"], json!([]));
    server.stop().await.expect("stop");
}

crate::on_both_databases!(footnotes_are_listed_as_sources_on_the_page_in_json_ld_and_in_the_api);
