"""Organisations registered before ownership was verified: each administrator's registration becomes a pending
claim, so the administrator can upload the 营业执照 and an organiser can verify it. Nothing is verified here."""

from django.db import migrations


def forwards(apps, schema_editor):
    Organisation = apps.get_model("applicants", "Organisation")
    Claim = apps.get_model("applicants", "OrganisationClaim")
    for org in Organisation.objects.filter(verified_at__isnull=True):
        for membership in org.memberships.filter(is_admin=True):
            Claim.objects.get_or_create(organisation=org, claimant_id=membership.user_id, state="pending",
                                        defaults={"claimed_name": org.name})


class Migration(migrations.Migration):
    dependencies = [("applicants", "0007_organisation_claims_and_joint_consent")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
