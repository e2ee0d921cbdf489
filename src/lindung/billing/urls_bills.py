"""The bills and the coverage page under /tagihan/ (namespace billing)."""

from django.urls import path

from lindung.billing import bill_views, coverage_views

urlpatterns = [
    # a fiscal year's bills with the alerts, making bills (a background job)
    path("", bill_views.bill_list, name="bill-list"),
    path("buat/", bill_views.bill_make, name="bill-make"),
    # a bill's page and each action on it (POST, BILL)
    path("<int:pk>/", bill_views.bill_detail, name="bill-detail"),
    path("<int:pk>/terbitkan/", bill_views.bill_issue, name="bill-issue"),
    path("<int:pk>/sp2d/", bill_views.bill_sp2d, name="bill-sp2d"),
    path("<int:pk>/bayar/", bill_views.bill_pay, name="bill-pay"),
    path("<int:pk>/dana-terlambat/", bill_views.bill_delay, name="bill-delay"),
    path("<int:pk>/batalkan/", bill_views.bill_cancel, name="bill-cancel"),
    path("<int:pk>/pengembalian/", bill_views.bill_claim_refunds, name="bill-refunds"),
    path("<int:pk>/rekonsiliasi/", bill_views.bill_reconcile, name="bill-reconcile"),
    path("pengembalian/<int:pk>/terima/", bill_views.refund_receive, name="refund-receive"),
    path("pembayaran/<int:pk>/bukti/", bill_views.receipt, name="receipt"),
    # who is protected on a date (everyone, within their wilayah)
    path("cakupan/", coverage_views.coverage_page, name="coverage"),
]
