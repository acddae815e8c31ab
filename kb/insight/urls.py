from django.urls import path

from kb.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:name>.csv", views.csv_download, name="csv"),
]
