//! The FastAPI round trip's client side (`cargo xtask test`, step "FastAPI round trip"): the client
//! generated from `app.py`'s OpenAPI 3.1 document calls every operation of that app, served by
//! uvicorn at `FASTAPI_BASE_URL`; FastAPI validates each request and every response is decoded into
//! the generated types. xtask builds this file as the binary of a scratch crate beside the client.

use std::collections::BTreeMap;
use std::process::ExitCode;

use fastapi_roundtrip_client::types::{
    Cat, CategoryInput, Dog, HttpValidationError, Owner, PetCreate, PetRecordPet, Size, StatsMode,
    ValidationErrorLocItem,
};
use fastapi_roundtrip_client::{Client, Error, FileUpload};

/// The operations of `app.py`; each must be called once below.
const OPERATIONS: &[&str] = &[
    "list_pets_pets_get",
    "create_pet_pets_post",
    "get_pet_pets__pet_id__get",
    "delete_pet_pets__pet_id__delete",
    "put_categories_categories__version__put",
    "upload_file_files_post",
    "stats_stats_get",
    "whoami_me_get",
    "admin_admin_get",
];

/// The credentials `app.py` accepts.
const TOKEN: &str = "round-trip-token";
const USER: &str = "round-trip-user";
const PASSWORD: &str = "pass:word";

type Outcome = Result<(), String>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let base_url = std::env::var("FASTAPI_BASE_URL").expect("FASTAPI_BASE_URL is set by xtask");
    // Credentials are set once; each operation sends what its own `security` list asks for.
    let client = Client::builder()
        .base_url(&base_url)
        .http_bearer(TOKEN)
        .http_basic(USER, PASSWORD)
        .build()
        .expect("the client builds");
    let checks: Vec<(&str, Outcome)> = vec![
        (
            "the served /openapi.json is the generated-from document",
            served_document(&base_url).await,
        ),
        (
            "pets: create, get, list with query and header parameters, delete",
            pets(&client).await,
        ),
        (
            "a recursive body and a constrained path parameter",
            categories(&client).await,
        ),
        ("a multipart upload", upload(&client).await),
        ("Literal and Enum values, maps and a datetime", stats(&client).await),
        (
            "FastAPI's automatic 422, decoded as HTTPValidationError",
            validation_error(&client).await,
        ),
        (
            "a bearer token and HTTP basic, each sent where its operation asks",
            credentials(&client, &base_url).await,
        ),
    ];
    let failed = checks.iter().filter(|(_, outcome)| outcome.is_err()).count();
    for (name, outcome) in &checks {
        match outcome {
            Ok(()) => println!("ok: {name}"),
            Err(message) => println!("FAILED: {name}: {message}"),
        }
    }
    println!("{} passed, {failed} failed", checks.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check(condition: bool, what: impl FnOnce() -> String) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(what())
    }
}

fn failed(operation: &str) -> impl FnOnce(Error) -> String + '_ {
    move |error| format!("{operation}: {error}")
}

/// The client was generated from `app.openapi()` as printed by `app.py`; the server must serve the
/// same document, and it must name exactly the operations this program calls.
async fn served_document(base_url: &str) -> Outcome {
    let path = std::env::var("FASTAPI_OPENAPI").map_err(|e| format!("FASTAPI_OPENAPI: {e}"))?;
    let generated_from: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?)
            .map_err(|e| format!("{path}: {e}"))?;
    let served = reqwest::get(format!("{base_url}/openapi.json"))
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let served: serde_json::Value = serde_json::from_str(&served).map_err(|e| e.to_string())?;
    check(served == generated_from, || "the served document differs".into())?;
    check(served["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), || {
        format!("expected OpenAPI 3.1, got {}", served["openapi"])
    })?;
    let mut operation_ids: Vec<&str> = served["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(serde_json::Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    operation_ids.sort_unstable();
    let mut called = OPERATIONS.to_vec();
    called.sort_unstable();
    check(operation_ids == called, || {
        format!("the app has operations {operation_ids:?}, this program calls {called:?}")
    })
}

async fn pets(client: &Client) -> Outcome {
    let pets = client.pets();
    let scores = BTreeMap::from([("speed".to_string(), 0.5)]);
    let cat = pets
        .create_pet_post(
            PetCreate::new(Cat::new("Tom").lives_left(7))
                .owner(Owner::new("Ann").email("ann@example.com"))
                .tags(vec!["indoor".to_string()])
                .scores(scores.clone())
                .birthday("2020-02-29"),
        )
        .await
        .map_err(failed("create_pet (cat)"))?;
    let PetRecordPet::Cat(tom) = &cat.pet else {
        return Err(format!("expected a cat back, got {:?}", cat.pet));
    };
    check(tom.name == "Tom" && tom.lives_left == Some(7), || format!("{tom:?}"))?;
    check(cat.owner.as_ref().map(|o| o.name.as_str()) == Some("Ann"), || {
        format!("{:?}", cat.owner)
    })?;
    check(
        cat.scores == scores && cat.birthday.as_deref() == Some("2020-02-29"),
        || format!("{cat:?}"),
    )?;

    let dog = pets
        .create_pet_post(PetCreate::new(Dog::new("Rex", Size::Medium).good_boy(true)).owner_null())
        .await
        .map_err(failed("create_pet (dog)"))?;
    check(dog.owner.is_none() && dog.tags.is_empty(), || format!("{dog:?}"))?;

    let fetched = pets.get_pet_pet_id_get(&cat.id).await.map_err(failed("get_pet"))?;
    check(fetched == cat, || format!("{fetched:?} != {cat:?}"))?;

    let listed = pets
        .list_pets_get()
        .limit(5)
        .size(Size::Medium)
        .name_prefix("Re")
        .x_request_source("roundtrip")
        .await
        .map_err(failed("list_pets"))?;
    check(listed.len() == 1 && listed[0].id == dog.id, || format!("{listed:?}"))?;

    pets.delete_pet_pet_id_delete(&dog.id)
        .await
        .map_err(failed("delete_pet"))?;
    match pets.get_pet_pet_id_get(&dog.id).await {
        Err(error) if error.is_not_found() => Ok(()),
        other => Err(format!("expected 404 after delete, got {other:?}")),
    }
}

async fn categories(client: &Client) -> Outcome {
    let tree = CategoryInput::new("root").children(vec![
        CategoryInput::new("a").children(vec![CategoryInput::new("a1")]),
        CategoryInput::new("b").parent_id_null(),
    ]);
    let summary = client
        .categories()
        .put_categories_version_put(3, tree)
        .await
        .map_err(failed("put_categories"))?;
    check(summary.total == 4 && summary.depth == 3, || format!("{summary:?}"))?;
    let children = summary.root.children.unwrap_or_default();
    let grandchild = children
        .first()
        .and_then(|a| a.children.as_ref())
        .and_then(|c| c.first());
    check(grandchild.map(|c| c.name.as_str()) == Some("a1"), || {
        format!("{children:?}")
    })
}

async fn upload(client: &Client) -> Outcome {
    let file = FileUpload::new("notes.txt", b"twelve bytes".to_vec()).content_type("text/plain");
    let result = client
        .files()
        .upload_file_post(file)
        .description("a text file")
        .await
        .map_err(failed("upload_file"))?;
    check(
        result.filename == "notes.txt"
            && result.size == 12
            && result.content_type.as_deref() == Some("text/plain")
            && result.description.as_deref() == Some("a text file"),
        || format!("{result:?}"),
    )
}

async fn stats(client: &Client) -> Outcome {
    let stats = client
        .stats()
        .stats_get()
        .mode(StatsMode::Slow)
        .await
        .map_err(failed("stats"))?;
    check(stats.mode == StatsMode::Slow, || format!("{:?}", stats.mode))?;
    check(stats.sizes == [Size::Small, Size::Medium, Size::Large], || {
        format!("{:?}", stats.sizes)
    })?;
    check(stats.counts.get("cat") == Some(&1) && stats.ratio == Some(1.0), || {
        format!("{stats:?}")
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let age = now.as_secs() as i64 - stats.generated_at.timestamp();
    check(age.abs() < 600, || format!("generated_at {}", stats.generated_at))
}

/// `limit` must be 1 to 100 (`Query(ge=1, le=100)`); the client sends 0 as asked and FastAPI's
/// answer is the 422 every FastAPI operation declares.
async fn validation_error(client: &Client) -> Outcome {
    let error = match client.pets().list_pets_get().limit(0).await {
        Ok(pets) => return Err(format!("limit 0 was accepted: {pets:?}")),
        Err(error) => error,
    };
    check(error.status() == Some(422), || format!("{error}"))?;
    let body: HttpValidationError = error.body_as().ok_or_else(|| format!("undecodable: {error:?}"))?;
    let detail = body.detail.unwrap_or_default();
    let at_limit = detail.iter().any(|item| {
        item.loc
            == [
                ValidationErrorLocItem::String("query".into()),
                ValidationErrorLocItem::String("limit".into()),
            ]
    });
    check(at_limit, || format!("{detail:?}"))
}

/// `/me` takes the bearer token and `/admin` HTTP basic (FastAPI checks both and answers 401 for
/// wrong values); without credentials the client refuses before sending, naming the scheme.
async fn credentials(client: &Client, base_url: &str) -> Outcome {
    let auth = client.auth();
    let me = auth.whoami_me_get().await.map_err(failed("whoami"))?;
    check(me.scheme == "Bearer" && me.name == "token holder", || format!("{me:?}"))?;
    let admin = auth.admin_admin_get().await.map_err(failed("admin"))?;
    check(admin.scheme == "Basic" && admin.name == USER, || format!("{admin:?}"))?;
    let anonymous = Client::builder().base_url(base_url).build().map_err(|e| e.to_string())?;
    let error = match anonymous.auth().whoami_me_get().await {
        Ok(me) => return Err(format!("whoami without a token was answered: {me:?}")),
        Err(error) => error,
    };
    check(!error.request_sent() && error.to_string().contains("HTTPBearer"), || {
        format!("expected a refusal before sending that names HTTPBearer: {error}")
    })
}
