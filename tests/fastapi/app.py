"""A small FastAPI application written the way FastAPI users write one, for the OpenAPI 3.1 round trip
(`cargo xtask test`, step "FastAPI round trip"): its /openapi.json is generated into a Rust client,
which then calls every operation of this app served by uvicorn on 127.0.0.1.

Run: python app.py --port N (serves), or python app.py --print-openapi (prints the document).
"""

import argparse
import datetime
import enum
import json
import sys
import uuid
from typing import Annotated, Literal, Optional, Union

import uvicorn
from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Path, Query, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from pydantic import BaseModel, Field

app = FastAPI(title="FastAPI round trip", version="1.0.0", summary="What FastAPI users write.")


class Size(str, enum.Enum):
    small = "small"
    medium = "medium"
    large = "large"


class Cat(BaseModel):
    pet_type: Literal["cat"]
    name: str = Field(min_length=1, max_length=40)
    lives_left: int = Field(default=9, ge=0, le=9)


class Dog(BaseModel):
    pet_type: Literal["dog"]
    name: str = Field(min_length=1, max_length=40)
    size: Size
    good_boy: Optional[bool] = None


Pet = Annotated[Union[Cat, Dog], Field(discriminator="pet_type")]


class Owner(BaseModel):
    name: str
    email: Optional[str] = None


class PetCreate(BaseModel):
    pet: Pet
    owner: Optional[Owner] = None
    tags: list[str] = []
    scores: dict[str, float] = {}
    birthday: Optional[datetime.date] = None


class PetRecord(BaseModel):
    id: uuid.UUID
    created_at: datetime.datetime
    pet: Pet
    owner: Optional[Owner]
    tags: list[str]
    scores: dict[str, float]
    birthday: Optional[datetime.date]


class Category(BaseModel):
    """A tree: every category holds its subcategories."""

    name: str
    children: list["Category"] = []
    parent_id: Optional[uuid.UUID] = None


class CategorySummary(BaseModel):
    root: Category
    total: int
    depth: int


class UploadResult(BaseModel):
    filename: str
    content_type: Optional[str]
    size: int
    description: Optional[str]


class Stats(BaseModel):
    mode: Literal["fast", "slow"]
    counts: dict[str, int]
    sizes: list[Size]
    ratio: Optional[float]
    generated_at: datetime.datetime


PETS: dict[uuid.UUID, PetRecord] = {}


@app.post("/pets", status_code=201, tags=["pets"])
def create_pet(body: PetCreate) -> PetRecord:
    record = PetRecord(id=uuid.uuid4(), created_at=datetime.datetime.now(datetime.timezone.utc), **body.model_dump())
    PETS[record.id] = record
    return record


@app.get("/pets/{pet_id}", tags=["pets"])
def get_pet(pet_id: Annotated[uuid.UUID, Path(description="The pet's id.")]) -> PetRecord:
    if pet_id not in PETS:
        raise HTTPException(status_code=404, detail="no such pet")
    return PETS[pet_id]


@app.get("/pets", tags=["pets"])
def list_pets(
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    size: Optional[Size] = None,
    name_prefix: Annotated[Optional[str], Query(max_length=20)] = None,
    x_request_source: Annotated[str, Header(min_length=3)] = "unknown",
) -> list[PetRecord]:
    pets = [
        record
        for record in PETS.values()
        if (size is None or getattr(record.pet, "size", None) == size)
        and (name_prefix is None or record.pet.name.startswith(name_prefix))
    ]
    return pets[:limit]


@app.delete("/pets/{pet_id}", status_code=204, tags=["pets"])
def delete_pet(pet_id: uuid.UUID) -> None:
    PETS.pop(pet_id, None)


def _count(category: Category) -> tuple[int, int]:
    total, depth = 1, 1
    for child in category.children:
        child_total, child_depth = _count(child)
        total += child_total
        depth = max(depth, child_depth + 1)
    return total, depth


@app.put("/categories/{version}", tags=["categories"])
def put_categories(
    version: Annotated[int, Path(gt=0, le=1000)],
    root: Category,
) -> CategorySummary:
    total, depth = _count(root)
    return CategorySummary(root=root, total=total, depth=depth)


@app.post("/files", tags=["files"])
async def upload_file(
    file: UploadFile = File(...),
    description: Optional[str] = Form(None),
) -> UploadResult:
    content = await file.read()
    return UploadResult(
        filename=file.filename or "",
        content_type=file.content_type,
        size=len(content),
        description=description,
    )


@app.get("/stats", tags=["stats"])
def stats(mode: Literal["fast", "slow"] = "fast") -> Stats:
    counts: dict[str, int] = {}
    for record in PETS.values():
        counts[record.pet.pet_type] = counts.get(record.pet.pet_type, 0) + 1
    return Stats(
        mode=mode,
        counts=counts,
        sizes=list(Size),
        ratio=None if not PETS else counts.get("cat", 0) / len(PETS),
        generated_at=datetime.datetime.now(datetime.timezone.utc),
    )


# Two operations that need credentials, as FastAPI users guard them: a bearer token and HTTP basic.
# FastAPI lists the scheme on each of them (no root `security` list); the others need nothing.
# The values are the ones roundtrip.rs sends; the password has a colon, which basic allows.
TOKEN = "round-trip-token"
USER, PASSWORD = "round-trip-user", "pass:word"


class Principal(BaseModel):
    scheme: str
    name: str


@app.get("/me", tags=["auth"])
def whoami(credentials: Annotated[HTTPAuthorizationCredentials, Depends(HTTPBearer())]) -> Principal:
    if credentials.credentials != TOKEN:
        raise HTTPException(status_code=401, detail="wrong token")
    return Principal(scheme=credentials.scheme, name="token holder")


@app.get("/admin", tags=["auth"])
def admin(credentials: Annotated[HTTPBasicCredentials, Depends(HTTPBasic())]) -> Principal:
    if (credentials.username, credentials.password) != (USER, PASSWORD):
        raise HTTPException(status_code=401, detail="wrong user name or password")
    return Principal(scheme="Basic", name=credentials.username)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int)
    parser.add_argument("--print-openapi", action="store_true")
    args = parser.parse_args()
    if args.print_openapi:
        json.dump(app.openapi(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
