from django import template

from orders.selectors import reviews_for_provider

register = template.Library()


@register.inclusion_tag("orders/_reviews.html")
def provider_reviews(provider, limit=10):
    """{% provider_reviews provider %}: a storefront's visible reviews, newest first, with the average.
    One query (the visible reviews of one provider are few; the average is worked out from them)."""
    reviews = list(reviews_for_provider(provider).only("rating", "body", "reply", "created_at"))
    count = len(reviews)
    average = round(sum(review.rating for review in reviews) / count, 1) if count else None
    return {"provider": provider, "rating": {"count": count, "average": average}, "reviews": reviews[:limit]}
