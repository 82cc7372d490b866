//! The clinic's details and the menus: saved by admins only, checked
//! field by field, then printed on every public page (footer, header,
//! schema.org data, the disclaimer under articles) and given to front
//! ends by the content API.

use app::accounts::Role;
use app::domain::MenuTarget;
use app::posts::workflow::PostStatus;
use app::settings::api::{GetMenus, SaveClinicDetails, SaveMenus};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{call, client, create_user, json_ld_blocks, page_html, signed_in, start, url};

const CLINIC: &[(&str, &str)] = &[
    ("name", "Riverside Family Clinic"),
    ("street_address", "1200 River Road"),
    ("locality", "Springfield"),
    ("region", "IL"),
    ("postal_code", "62701"),
    ("country", "US"),
    ("phone", "+1 (555) 010-2030"),
    ("email", "desk@riverside.example"),
    ("booking_url", "https://book.riverside.example/"),
    (
        "disclaimer",
        "General information, not advice.\n\nIn an emergency, call 911.",
    ),
    // The form posts every day, closed ones empty.
    ("hours[0][opens]", "08:00"),
    ("hours[0][closes]", "18:00"),
    ("hours[1][opens]", ""),
    ("hours[1][closes]", ""),
    ("hours[2][opens]", ""),
    ("hours[2][closes]", ""),
    ("hours[3][opens]", ""),
    ("hours[3][closes]", ""),
    ("hours[4][opens]", ""),
    ("hours[4][closes]", ""),
    ("hours[5][opens]", "09:00"),
    ("hours[5][closes]", "12:30"),
    ("hours[6][opens]", ""),
    ("hours[6][closes]", ""),
];

fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut form: Vec<_> = CLINIC
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(changed, _)| changed == name))
        .copied()
        .collect();
    form.extend_from_slice(changes);
    form
}

async fn errors_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON error");
    body["fields"].clone()
}

async fn the_clinic_is_on_every_page_once_an_admin_saves_it(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Site Admin", Role::Admin).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    post_as(
        &server,
        &ana,
        "Sleep and the heart",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let editor = signed_in(&server, "ana@clinic.org").await;

    // Before: no clinic in the footer, the site's title as the publisher.
    let home = page_html(&server, "/").await;
    assert!(!home.contains("Opening hours"));
    assert_eq!(json_ld_blocks(&home)[0]["@graph"][0]["@type"], "Organization");

    let refused = call(&editor, &server, SaveClinicDetails::PATH, CLINIC).await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "editors do not change the clinic"
    );
    let anonymous = call(&client(), &server, SaveClinicDetails::PATH, CLINIC).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let saved = call(&admin, &server, SaveClinicDetails::PATH, CLINIC).await;
    assert_eq!(saved.status(), StatusCode::OK, "{:?}", saved.text().await);

    let home = page_html(&server, "/").await;
    let footer = home.split(r#"<footer class="site-footer">"#).nth(1).expect("a footer");
    assert!(footer.contains("Riverside Family Clinic"), "{footer}");
    assert!(
        footer.contains("1200 River Road, 62701 Springfield, IL, US"),
        "{footer}"
    );
    assert!(
        footer.contains(r#"href="tel:+15550102030""#),
        "a number phones can call: {footer}"
    );
    assert!(footer.contains(r#"href="mailto:desk@riverside.example""#), "{footer}");
    assert!(footer.contains(r#"<time datetime="08:00">08:00</time>"#), "{footer}");
    assert!(footer.contains(r#"<time datetime="12:30">12:30</time>"#), "{footer}");
    assert!(footer.contains("Closed"), "Sunday: {footer}");
    assert!(footer.contains(r#"href="https://book.riverside.example/""#), "{footer}");

    let clinic = &json_ld_blocks(&home)[0]["@graph"][0];
    assert_eq!(clinic["@type"], "MedicalClinic");
    assert_eq!(clinic["name"], "Riverside Family Clinic");
    assert_eq!(clinic["telephone"], "+1 (555) 010-2030");
    assert_eq!(clinic["address"]["@type"], "PostalAddress");
    assert_eq!(clinic["address"]["postalCode"], "62701");
    let hours = clinic["openingHoursSpecification"].as_array().expect("hours");
    assert_eq!(hours.len(), 2, "Monday and Saturday: {hours:?}");
    assert_eq!(hours[1]["dayOfWeek"], "https://schema.org/Saturday");
    assert_eq!(hours[1]["closes"], "12:30");

    // The article names the clinic as its publisher, and ends with the
    // disclaimer, a paragraph per blank line.
    let article = page_html(&server, "/posts/sleep-and-the-heart").await;
    let blocks = json_ld_blocks(&article);
    let posting = blocks
        .iter()
        .find(|block| block["@type"] == "BlogPosting")
        .expect("BlogPosting");
    assert_eq!(posting["publisher"]["@id"], clinic["@id"]);
    assert_eq!(posting["publisher"]["name"], "Riverside Family Clinic");
    let disclaimer = article.split(r#"class="disclaimer">"#).nth(1).expect("the disclaimer");
    assert!(
        disclaimer.contains("<p>General information, not advice.</p><p>In an emergency, call 911.</p>"),
        "{disclaimer}"
    );
    assert!(!home.contains(r#"class="disclaimer""#), "under articles only");

    // Front ends get the same.
    let site: Value = client()
        .get(url(&server, "/api/v1/site"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(site["clinic"]["name"], "Riverside Family Clinic");
    assert_eq!(site["clinic"]["address"]["locality"], "Springfield");
    assert_eq!(site["clinic"]["opening_hours"][1]["day"], "Saturday");
    assert_eq!(
        site["clinic"]["disclaimer"],
        "General information, not advice.\n\nIn an emergency, call 911."
    );
    server.stop().await.expect("stop");
}

async fn bad_clinic_details_are_refused_field_by_field_and_nothing_changes(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Site Admin", Role::Admin).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let saved = call(&admin, &server, SaveClinicDetails::PATH, CLINIC).await;
    assert_eq!(saved.status(), StatusCode::OK);

    let fields = errors_of(
        call(
            &admin,
            &server,
            SaveClinicDetails::PATH,
            &with(&[
                ("name", "Renamed Clinic"),
                ("phone", "call the front desk"),
                ("booking_url", "javascript:alert(1)"),
                ("email", "desk"),
                ("hours[0][opens]", "18:00"),
                ("hours[0][closes]", "08:00"),
                ("hours[2][opens]", "25:00"),
                ("hours[2][closes]", "26:00"),
                ("hours[3][opens]", "09:00"),
            ]),
        )
        .await,
    )
    .await;
    let message = |field: &str| fields[field][0].as_str().unwrap_or_default().to_owned();
    assert!(message("phone").contains("digits"), "{fields}");
    assert!(message("booking_url").contains("https://"), "{fields}");
    assert!(message("email").contains("email address"), "{fields}");
    assert!(
        message("hours.0").starts_with("Monday") && message("hours.0").contains("after"),
        "{fields}"
    );
    assert!(
        message("hours.2").starts_with("Wednesday") && message("hours.2").contains("HH:MM"),
        "{fields}"
    );
    assert!(message("hours.3").contains("closing time too"), "{fields}");
    assert!(fields.get("name").is_none(), "the good fields pass: {fields}");

    let kept = server.state.store.clinic_details().await.expect("clinic");
    assert_eq!(
        kept.name, "Riverside Family Clinic",
        "nothing of a refused save is kept"
    );
    assert_eq!(kept.hours[0].opens, "08:00");
    server.stop().await.expect("stop");
}

fn menu_form(items: &[(&'static str, usize, &'static str, &'static str, &'static str)]) -> Vec<(String, String)> {
    items
        .iter()
        .flat_map(|(menu, at, label, kind, target)| {
            [
                (format!("{menu}[{at}][label]"), (*label).to_owned()),
                (format!("{menu}[{at}][kind]"), (*kind).to_owned()),
                (format!("{menu}[{at}][target]"), (*target).to_owned()),
            ]
        })
        .collect()
}

async fn save_menus(
    server: &server::RunningServer,
    admin: &reqwest::Client,
    form: &[(String, String)],
) -> reqwest::Response {
    let form: Vec<(&str, &str)> = form
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    call(admin, server, SaveMenus::PATH, &form).await
}

async fn menus_lead_readers_to_what_exists(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Site Admin", Role::Admin).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let heart = post_as(
        &server,
        &ana,
        "Sleep and the heart",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    post_as(&server, &ana, "Naps", "Sleep", PostStatus::Draft, noon(), None).await;
    // A colleague who never published has no public page yet.
    create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let editor = signed_in(&server, "ana@clinic.org").await;

    let good = menu_form(&[
        ("header", 0, "Sleep", "tag", "sleep"),
        ("header", 1, "Our nurse", "author", "ana-ruiz"),
        ("header", 2, "Book", "url", "https://book.riverside.example/"),
        ("footer", 0, "The heart", "post", "sleep-and-the-heart"),
        ("footer", 1, "Feed", "url", "/feed.xml"),
    ]);
    assert_eq!(
        save_menus(&server, &editor, &good).await.status(),
        StatusCode::FORBIDDEN
    );

    // Dead targets and bad addresses are refused, each named by its place.
    let bad = menu_form(&[
        ("header", 0, "Sleep", "tag", "sleep"),
        ("header", 1, "Naps", "post", "naps"),
        ("header", 2, "Nowhere", "tag", "no-such-tag"),
        ("header", 3, "Ben", "author", "ben-okafor"),
        ("footer", 0, "Evil", "url", "javascript:alert(1)"),
    ]);
    let fields = errors_of(save_menus(&server, &admin, &bad).await).await;
    assert!(
        fields["header.1"][0]
            .as_str()
            .is_some_and(|m| m.contains("readers cannot see")),
        "a draft: {fields}"
    );
    assert!(
        fields["header.2"][0]
            .as_str()
            .is_some_and(|m| m.contains("no-such-tag")),
        "{fields}"
    );
    assert!(
        fields["footer.0"][0].as_str().is_some_and(|m| m.contains("https://")),
        "{fields}"
    );
    assert!(
        fields["header.3"][0]
            .as_str()
            .is_some_and(|m| m.contains("an author needs a published article")),
        "{fields}"
    );
    assert!(fields.get("header.0").is_none(), "{fields}");
    assert!(
        server.state.store.menus().await.expect("menus").header.is_empty(),
        "nothing saved"
    );

    let saved = save_menus(&server, &admin, &good).await;
    assert_eq!(saved.status(), StatusCode::OK, "{:?}", saved.text().await);

    let home = page_html(&server, "/").await;
    let header = home
        .split(r#"class="site-nav">"#)
        .nth(1)
        .unwrap_or_else(|| panic!("the header menu: {home}"));
    let header = header.split("</nav>").next().unwrap_or_default();
    let sleep = header.find(r#"<a href="/tags/sleep">Sleep</a>"#).expect("the tag");
    let nurse = header
        .find(r#"<a href="/authors/ana-ruiz">Our nurse</a>"#)
        .expect("the author");
    let book = header
        .find(r#"<a href="https://book.riverside.example/">Book</a>"#)
        .expect("the address");
    assert!(sleep < nurse && nurse < book, "in their order: {header}");
    let footer = home.split(r#"class="footer-nav">"#).nth(1).expect("the footer menu");
    assert!(
        footer.contains(r#"<a href="/posts/sleep-and-the-heart">The heart</a>"#),
        "{footer}"
    );

    let site: Value = client()
        .get(url(&server, "/api/v1/site"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(site["navigation"]["header"][0]["label"], "Sleep");
    assert!(
        site["navigation"]["header"][0]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/tags/sleep")),
        "{site}"
    );
    assert_eq!(
        site["navigation"]["header"][2]["url"],
        "https://book.riverside.example/"
    );
    assert_eq!(site["navigation"]["footer"].as_array().map(Vec::len), Some(2));

    // Reordered: the new order is what readers get.
    let reordered = menu_form(&[
        ("header", 0, "Book", "url", "https://book.riverside.example/"),
        ("header", 1, "Sleep", "tag", "sleep"),
    ]);
    assert_eq!(save_menus(&server, &admin, &reordered).await.status(), StatusCode::OK);
    let home = page_html(&server, "/").await;
    let book = home.find(">Book</a>").expect("book");
    let sleep = home.find(r#"<a href="/tags/sleep">Sleep</a>"#).expect("sleep");
    assert!(book < sleep);
    assert!(!home.contains("footer-nav"), "an emptied menu is gone");

    // A target that goes away later is flagged for admins and left out
    // for readers.
    let with_post = menu_form(&[("header", 0, "The heart", "post", "sleep-and-the-heart")]);
    assert_eq!(save_menus(&server, &admin, &with_post).await.status(), StatusCode::OK);
    // An item naming an article's earlier slug still leads there (the old
    // address answers 301).
    db.raw_sql(&format!(
        "INSERT INTO post_slug_history (slug, post_id) VALUES ('heart-and-sleep', {})",
        heart.id
    ))
    .await;
    let store = &server.state.store;
    let now = server.state.clock.now();
    assert!(
        store
            .menu_target_exists(MenuTarget::Post, "heart-and-sleep", now)
            .await
            .expect("check")
    );
    assert!(
        !store
            .menu_target_exists(MenuTarget::Page, "heart-and-sleep", now)
            .await
            .expect("check"),
        "not a page"
    );

    // The editor unpublishes the article, as the admin's button would.
    let post = serde_json::json!({ "id": heart.id, "version": heart.version });
    let unpublished = crate::posts::step(&editor, &server, &post, "unpublish", &[]).await;
    assert_eq!(unpublished.status(), StatusCode::OK, "{:?}", unpublished.text().await);
    let view: Value = call(&admin, &server, GetMenus::PATH, &[])
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        view["problems"]["header.0"]
            .as_str()
            .is_some_and(|m| m.contains("readers cannot see")),
        "{view}"
    );
    let home = page_html(&server, "/").await;
    assert!(!home.contains("The heart</a>"), "no link to a missing page");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    the_clinic_is_on_every_page_once_an_admin_saves_it,
    bad_clinic_details_are_refused_field_by_field_and_nothing_changes,
    menus_lead_readers_to_what_exists,
);
