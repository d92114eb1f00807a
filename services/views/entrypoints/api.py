from fastapi import APIRouter, Request

router = APIRouter(tags=["views"])


@router.get("/activity")
async def activity(request: Request) -> dict[str, dict[str, str]]:
    """How many events of each type, service and day the platform has recorded."""
    views = request.app.state.infra.views
    return {
        "by_type": await views.hgetall("activity:by-type"),
        "by_service": await views.hgetall("activity:by-service"),
        "by_day": await views.hgetall("activity:by-day"),
        "last": await views.hgetall("activity:last"),
    }
