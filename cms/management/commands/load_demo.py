from django.core.management.base import BaseCommand

from cms.demo import load_demo
from market.demo_accounts import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the Scholes, Wigan demo data. Safe to run again: it only adds what is missing."

    def handle(self, *args, **options):
        load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo password: {DEMO_PASSWORD}"))
